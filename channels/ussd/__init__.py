"""The USSD gateway: Africa's Talking's callback, a menu of offers, sessions in the cache."""
