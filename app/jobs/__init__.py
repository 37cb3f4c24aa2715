"""Long work done by a worker (a large export, a generated file): queued with the request that
asks for it, run outside the request, followed on a page that ends with an expiring download."""
