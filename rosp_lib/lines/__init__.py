"""Result lines: assembly, money (the one place where amounts are rounded), French formatting, CSV writing."""
