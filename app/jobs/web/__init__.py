"""The job status page, its JSON for the pages script, and the download."""
