package soap

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// One table answers both questions the dispatcher asks: what an operation needs, and who serves
// it; an operation not in it is not implemented.
func TestOps(t *testing.T) {
	served := ""
	ops := Ops{"GetThing": {Access: Viewer, Serve: func(w http.ResponseWriter, _ *http.Request, c *Call) {
		served = c.Req.Operation.Local
	}}}
	if a, ok := ops.Access("GetThing"); !ok || a != Viewer {
		t.Errorf("Access(GetThing): got %v, %v; want viewer, true", a, ok)
	}
	if _, ok := ops.Access("SetThing"); ok {
		t.Error("Access(SetThing): got ok, want not implemented")
	}
	call := func(op string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		req, err := ParseRequest(strings.NewReader(`<e:Envelope xmlns:e="`+NSSoap12+`"><e:Body><`+op+` xmlns="`+NSDevice+`"/></e:Body></e:Envelope>`), 0)
		if err != nil {
			t.Fatal(err)
		}
		ops.ServeSOAP(w, httptest.NewRequest("POST", "/", nil), &Call{Req: req})
		return w
	}
	if call("GetThing"); served != "GetThing" {
		t.Errorf("ServeSOAP(GetThing): served %q, want GetThing", served)
	}
	if w := call("SetThing"); w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), ReasonNotImplemented) {
		t.Errorf("ServeSOAP(SetThing): got %d %s, want the not-implemented fault", w.Code, w.Body.String())
	}
}
