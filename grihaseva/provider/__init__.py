"""The provider's side: dashboard, job lifecycle, booking mails with .ics, availability, earnings, calendar feed."""
