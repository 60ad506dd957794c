// Package soaptest helps the ONVIF services' tests: it builds request envelopes, runs them
// through a service as the dispatcher would (Serve), and parses the answers into an XML tree
// whose elements are looked up by local name, with "<absent>" for what is missing so that a
// failure message shows it. Only tests import it.
package soaptest

import (
	"encoding/xml"
	"strings"
)

// Absent is what Value and Attr return for a missing element or attribute.
const Absent = "<absent>"

// Node is a parsed XML element with its namespaces resolved.
type Node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []*Node    `xml:",any"`
}

// Parse parses a whole document into its root element.
func Parse(raw []byte) (*Node, error) {
	var n Node
	if err := xml.Unmarshal(raw, &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// Get follows a path of child local names (the first match at each step); nil when one is
// missing.
func (n *Node) Get(path ...string) *Node {
	for _, name := range path {
		if n == nil {
			return nil
		}
		var next *Node
		for _, c := range n.Nodes {
			if c.XMLName.Local == name {
				next = c
				break
			}
		}
		n = next
	}
	return n
}

// All returns the children named name.
func (n *Node) All(name string) []*Node {
	if n == nil {
		return nil
	}
	var out []*Node
	for _, c := range n.Nodes {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
	}
	return out
}

// Value is the trimmed text of the element at path, Absent when there is none.
func (n *Node) Value(path ...string) string {
	if c := n.Get(path...); c != nil {
		return strings.TrimSpace(c.Text)
	}
	return Absent
}

// Attr is the attribute with the local name name, Absent when there is none.
func (n *Node) Attr(name string) string {
	if n == nil {
		return Absent
	}
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return Absent
}
