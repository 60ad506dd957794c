package web

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// docs/openapi.json describes exactly the API the server registers.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	ts := newTestServer(t, false)
	raw, err := os.ReadFile("../../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docs/openapi.json: %v", err)
	}
	registered := map[string]bool{}
	for _, pattern := range ts.srv.apiRoutes {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok { // the catch-all
			continue
		}
		registered[strings.ToLower(method)+" "+path] = true
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("%s is served but not in docs/openapi.json", pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !registered[method+" "+path] {
				t.Errorf("docs/openapi.json documents %s %s, which the server does not serve", strings.ToUpper(method), path)
			}
		}
	}
}
