package events

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/onvif/soap"
)

func TestAccess(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	tests := []struct {
		op     string
		access soap.Access
		ok     bool
	}{
		{"GetServiceCapabilities", soap.Open, true},
		{"GetEventProperties", soap.Viewer, true},
		{"CreatePullPointSubscription", soap.Viewer, true},
		{"PullMessages", soap.Viewer, true},
		{"SetSynchronizationPoint", soap.Viewer, true},
		{"Renew", soap.Viewer, true},
		{"Unsubscribe", soap.Viewer, true},
		{"Subscribe", soap.Viewer, true},
		{"Seek", 0, false},
		{"GetCurrentMessage", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			access, ok := b.Access(tt.op)
			if ok != tt.ok || (ok && access != tt.access) {
				t.Errorf("got %v %v, want %v %v", access, ok, tt.access, tt.ok)
			}
		})
	}
	// Without push subscriptions, Subscribe is not implemented: clients fall back to pull points.
	off := New(Options{MaxPushSubscriptions: -1})
	defer off.Close()
	if _, ok := off.Access("Subscribe"); ok {
		t.Error("MaxPushSubscriptions -1: got Subscribe implemented, want not")
	}
	r := serve(t, off, DefaultPath, envelope12("Subscribe", nsWSNT, "<ConsumerReference><Address>http://192.0.2.9/</Address></ConsumerReference>", ""))
	wantFault(t, r, "Receiver", soap.SubActionNotSupported)
}

// TestWrongNamespace: an operation name known in the other namespace is not implemented.
func TestWrongNamespace(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	r := serve(t, b, DefaultPath, envelope12("PullMessages", nsWSNT, "", ""))
	wantFault(t, r, "Receiver", soap.SubActionNotSupported)
	r = serve(t, b, DefaultPath, envelope12("Subscribe", nsTev, "<ConsumerReference><Address>http://192.0.2.9/</Address></ConsumerReference>", ""))
	wantFault(t, r, "Receiver", soap.SubActionNotSupported)
}

func TestGetServiceCapabilities(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
		want [6]string // policy, pull point, pausable, max pull points, max producers, persistent
	}{
		// The push share (default 4) is reserved out of MaxSubscriptions.
		{"defaults", Options{}, [6]string{"false", "true", "false", "12", "4", "false"}},
		{"9 with 4 push", Options{MaxSubscriptions: 9}, [6]string{"false", "true", "false", "5", "4", "false"}},
		{"push capped at half", Options{MaxSubscriptions: 3, MaxPushSubscriptions: 8}, [6]string{"false", "true", "false", "2", "1", "false"}},
		{"push off", Options{MaxSubscriptions: 9, MaxPushSubscriptions: -1}, [6]string{"false", "true", "false", "9", "0", "false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(tt.opt)
			defer b.Close()
			r := serve(t, b, DefaultPath, envelope12("GetServiceCapabilities", nsTev, "", ""))
			if r.Body.Caps == nil {
				t.Fatalf("got %s, want GetServiceCapabilitiesResponse", r.Raw)
			}
			c := r.Body.Caps.Capabilities
			got := [6]string{c.WSSubscriptionPolicySupport, c.WSPullPointSupport, c.Pausable, c.MaxPullPoints, c.MaxProducers, c.Persistent}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// topicNode is a node of wstop:TopicSet read generically.
type topicNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr  `xml:",any,attr"`
	Children []topicNode `xml:",any"`
}

type itemDesc struct {
	Name string `xml:"Name,attr"`
	Type string `xml:"Type,attr"`
}

type messageDesc struct {
	IsProperty string     `xml:"IsProperty,attr"`
	Source     []itemDesc `xml:"Source>SimpleItemDescription"`
	Data       []itemDesc `xml:"Data>SimpleItemDescription"`
}

// topics walks the topic tree the way Synology does, building "tns1:A/B;Source*Type;Data*Type"
// strings for every node marked wstop:topic="true".
func topics(t *testing.T, n topicNode, path string, out map[string]string) {
	t.Helper()
	name := n.XMLName.Local
	if path == "" {
		if n.XMLName.Space != soap.NSTopics {
			t.Errorf("root topic %s is in namespace %q, want tns1 (%s)", name, n.XMLName.Space, soap.NSTopics)
		}
		name = "tns1:" + name
	} else {
		name = path + "/" + name
	}
	if n.XMLName.Local == "MessageDescription" {
		return
	}
	for _, a := range n.Attrs {
		if a.Name.Space == soap.NSWSTOP && a.Name.Local == "topic" && a.Value == "true" {
			for _, c := range n.Children {
				if c.XMLName.Local != "MessageDescription" {
					continue
				}
				raw, _ := xml.Marshal(c)
				var md messageDesc
				if err := xml.Unmarshal(raw, &md); err != nil {
					t.Fatalf("MessageDescription of %s: %v", name, err)
				}
				if md.IsProperty != "true" {
					t.Errorf("%s: got IsProperty %q, want true", name, md.IsProperty)
				}
				var s strings.Builder
				s.WriteString(name)
				for _, d := range append(md.Source, md.Data...) {
					typ := d.Type[strings.IndexByte(d.Type, ':')+1:]
					s.WriteString(";" + d.Name + "*" + typ)
				}
				out[name] = s.String()
			}
		}
	}
	for _, c := range n.Children {
		topics(t, c, name, out)
	}
}

func TestGetEventProperties(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	rec := serve(t, b, DefaultPath, envelope12("GetEventProperties", nsTev, "", ""))
	var env struct {
		Props *struct {
			TopicNamespaceLocation []string `xml:"TopicNamespaceLocation"`
			FixedTopicSet          string   `xml:"FixedTopicSet"`
			TopicSet               struct {
				Topics []topicNode `xml:",any"`
			} `xml:"TopicSet"`
			TopicExpressionDialect      []string `xml:"TopicExpressionDialect"`
			MessageContentFilterDialect []string `xml:"MessageContentFilterDialect"`
		} `xml:"Body>GetEventPropertiesResponse"`
	}
	if err := xml.Unmarshal([]byte(rec.Raw), &env); err != nil || env.Props == nil {
		t.Fatalf("got %v parsing %s, want GetEventPropertiesResponse", err, rec.Raw)
	}
	p := env.Props
	if len(p.TopicNamespaceLocation) == 0 || p.FixedTopicSet != "true" {
		t.Errorf("got TopicNamespaceLocation %v FixedTopicSet %q, want one and true", p.TopicNamespaceLocation, p.FixedTopicSet)
	}
	if len(p.TopicExpressionDialect) == 0 || p.TopicExpressionDialect[0] != dialectConcreteSet {
		t.Errorf("got TopicExpressionDialect %v, want %s first", p.TopicExpressionDialect, dialectConcreteSet)
	}
	if len(p.MessageContentFilterDialect) != 1 || p.MessageContentFilterDialect[0] != dialectItemFilter {
		t.Errorf("got MessageContentFilterDialect %v, want %s", p.MessageContentFilterDialect, dialectItemFilter)
	}
	got := map[string]string{}
	for _, n := range p.TopicSet.Topics {
		topics(t, n, "", got)
	}
	want := map[string]string{
		TopicMotionAlarm: "tns1:VideoSource/MotionAlarm;Source*ReferenceToken;State*boolean",
		TopicCellMotion: "tns1:RuleEngine/CellMotionDetector/Motion;VideoSourceConfigurationToken*ReferenceToken;" +
			"VideoAnalyticsConfigurationToken*ReferenceToken;Rule*string;IsMotion*boolean",
	}
	if len(got) != len(want) {
		t.Errorf("got topics %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("topic %s: got %q, want %q", k, got[k], v)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want string // time.Duration.String, or "error"
	}{
		{"PT600S", "10m0s"},
		{"PT1M", "1m0s"},
		{"PT0.5S", "500ms"},
		{"PT1H2M3S", "1h2m3s"},
		{"P1D", "24h0m0s"},
		{"P1DT1H", "25h0m0s"},
		{"P1W", "168h0m0s"},
		{"PT0S", "0s"},
		{" PT60S ", "1m0s"},
		{"PT", "error"},
		{"P", "error"},
		{"60", "error"},
		{"-PT5S", "error"},
		{"PT5", "error"},
		{"P5H", "error"},
		{"PTT5S", "error"},
		{"PT1.2.3S", "error"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := parseDuration(tt.in)
			got := d.String()
			if err != nil {
				got = "error"
			}
			if got != tt.want {
				t.Errorf("got %s (%v), want %s", got, err, tt.want)
			}
		})
	}
}

func FuzzParseTermination(f *testing.F) {
	for _, s := range []string{"PT600S", "P1DT2H", "2025-01-31T12:00:00Z", "2025-01-31T12:00:00", "PT0.5S", "-PT1S"} {
		f.Add(s)
	}
	now := newFakeClock().Now()
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := parseTermination(s, now)
		if err == nil && strings.HasPrefix(strings.TrimSpace(s), "P") && tm.Before(now) {
			t.Errorf("%q: got %v, before now", s, tm)
		}
	})
}
