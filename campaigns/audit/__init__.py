"""The audit trail for CVM managers: who looked at which customer, filtered, exported; look-up bursts."""
