"""motcua — Hệ thống thông tin giải quyết thủ tục hành chính (administrative-procedure back office)."""
