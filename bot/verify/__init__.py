"""Contract tests on data (docs/cli.md, `modelgate verify`): records checked against one contract version."""

from bot.verify.readers import RecordsError
from bot.verify.report import VerifyResult
from bot.verify.run import Expected, verify_records

__all__ = ["Expected", "RecordsError", "VerifyResult", "verify_records"]
