# English dates as the city writes them (ISO, day first in size order), not Django's American "m/d/Y".
# French and Dutch keep Django's own formats (fr "d/m/Y", nl "j-n-Y"); templates use the named formats
# SHORT_DATE_FORMAT and SHORT_DATETIME_FORMAT, so each language shows its own (settings FORMAT_MODULE_PATH).
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
