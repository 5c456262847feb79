"""`ovavel browse`: a static site to look at what the numbers mean (ovavel.browse.site), with the
error types it filters by (ovavel.browse.errors)."""
