"""schemathesis hooks for tests/contract/fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

`POST /imports` takes `text/csv`, which schemathesis does not write by itself: a generated text
goes out as it is (the contract's example is a whole file), anything else a generator draws for
the negative phases as its JSON text, so the service sees a file that is not the export's.
"""

import json

import schemathesis


@schemathesis.serializer("text/csv")
def csv_body(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value).encode()
