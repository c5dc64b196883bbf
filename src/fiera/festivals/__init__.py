"""Shopping festivals (11.11, 6.18): festival prices, flash sales, live GMV tallies."""
