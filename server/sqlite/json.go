package sqlite

// The JSON columns (events' payloads, catalog records) go through
// segmentio/encoding/json, as the wire protocol does (syncproto): the same
// bytes as encoding/json for these types, a few times faster, and the
// writer encodes a payload for every event it records.
import json "github.com/segmentio/encoding/json"

func jsonMarshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
