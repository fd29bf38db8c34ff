"""Pages of no feature of their own: the landing page, `/healthz`, and `/dev/mail` in development."""
