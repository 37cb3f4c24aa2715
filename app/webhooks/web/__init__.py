"""The pages where an organisation or an administrator manages webhook endpoints."""
