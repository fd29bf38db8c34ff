"""Demo data (`data`) and `grihaseva seed-demo` (`seed`)."""
