// Package metrics writes Prometheus's text exposition format (version 0.0.4) for /metrics.
//
// It is deliberately small: freecam runs on cameras with 64 MB of RAM, so it carries no client
// library. A Registry holds collect functions that write the current values when a scrape asks
// for them, so between scrapes nothing costs anything; the only state kept between scrapes is
// what cannot be read from the parts themselves, such as a Histogram of request latencies, whose
// Observe is a few atomic additions and never allocates.
//
// It does not validate metric names against the whole Prometheus grammar; callers use fixed
// names. Label values are escaped.
package metrics
