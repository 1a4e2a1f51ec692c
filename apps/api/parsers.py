"""The API's JSON parser: DRF's, with JSON nested too deep for the decoder a 400 like any other malformed body."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DrfJSONParser


class JSONParser(DrfJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:  # the decoder's own limit (about 1,000 levels): no request of the API nests like that
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
