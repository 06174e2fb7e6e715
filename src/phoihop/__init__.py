"""phoihop: software for an inter-agency coordination regulation (quy chế phối hợp)."""
