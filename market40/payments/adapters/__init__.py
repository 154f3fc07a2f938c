"""One small adapter per payment aggregator: its webhook's fields mapped onto a
:class:`~market40.payments.notifications.BankNotification`, recorded by the same path
as the signed bank notifications. Another aggregator is one more module here."""
