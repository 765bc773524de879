"""Call recordings a telephony system attaches, and the weekly research queue drawn from them."""
