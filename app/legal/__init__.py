"""普法 (measure 4, Changzhi 2): 以案说法 case library, targeted guidance with read receipts, 送法入企 records."""
