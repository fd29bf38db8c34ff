"""The provider's side: dashboard, job lifecycle, availability, earnings, calendar feed (booking mail and .ics are in `booking/`)."""
