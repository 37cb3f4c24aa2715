"""The development mailbox: the e-mails of a development server without MAIL_SERVER."""
