"""The admin console: catalogue, providers, bookings, customers, blog review queue, FAQ, audit log."""
