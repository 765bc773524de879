"""The roadmap board: CVM initiatives × channels, what each channel team builds for them."""
