"""Contract tests on data (SPEC section 8): records checked against one contract version."""

from bot.verify.readers import RecordsError
from bot.verify.report import VerifyResult
from bot.verify.run import verify_records

__all__ = ["RecordsError", "VerifyResult", "verify_records"]
