"""Personal data at rest (个人信息保护, PIPL art. 51): the master key of field encryption, and private files.

The SQL store encrypts personal data with per-office data keys (:mod:`petitionkit.storage.sql.crypto`);
this package finds the master key that unwraps them (:mod:`petitionkit.privacy.keys`) and unlocks the
store when an office opens.  See docs/security.md, "Personal data at rest".
"""

from petitionkit.privacy.keys import MASTER_KEY_ENV, load_master_keys, unlock_storage, write_new_master_key_file
from petitionkit.privacy.settings import PrivacySettings, privacy_settings

__all__ = [
    "MASTER_KEY_ENV",
    "PrivacySettings",
    "load_master_keys",
    "privacy_settings",
    "unlock_storage",
    "write_new_master_key_file",
]
