"""线索移送 (附件3, 长环发〔2025〕36号 第8条): suspected-violation clues handed to the unit that will investigate."""
