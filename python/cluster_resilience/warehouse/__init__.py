"""The warehouse around the estimators: build (write-audit-publish), raw-file checks at the
door (Great Expectations), exports and the data refresh."""
