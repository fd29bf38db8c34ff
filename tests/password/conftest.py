from tests.helpers_smtp import app, clock, mail_settings, smtp  # noqa: F401  (fixtures)
