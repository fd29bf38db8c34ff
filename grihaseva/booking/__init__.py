"""Booking: catalogue, free slots, the booking rules (`domain.place_booking`), pages and grids, booking mail with .ics."""
