package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
)

// DefaultAPIURL is the Bot API's base when none is configured.
const DefaultAPIURL = "https://api.telegram.org"

// Client calls the Telegram Bot API. It is safe for concurrent use. Errors never contain the
// token: URLs in them are redacted.
type Client struct {
	// BaseURL is the API's base without a trailing slash; default DefaultAPIURL.
	BaseURL string
	Token   conf.Secret
	// HTTP is the client used; default one with a 60 s timeout. A long poll's own timeout is
	// added to each GetUpdates call through its context, so keep the client's timeout at 0 or
	// above the poll timeout.
	HTTP *http.Client
}

// APIError is an answer of the Bot API with "ok": false (or an HTTP error without one).
type APIError struct {
	Method      string
	Code        int    // error_code (the HTTP status)
	Description string // description
	// RetryAfter is parameters.retry_after: how long Telegram wants us to wait (429).
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("telegram: %s: %d %s", e.Method, e.Code, e.Description)
	switch {
	case e.Code == http.StatusUnauthorized:
		s += " (the bot token was refused: check apiToken in telegram.conf)"
	case e.RetryAfter > 0:
		s += fmt.Sprintf(" (retry after %v)", e.RetryAfter)
	}
	return s
}

// Retry reports how long to wait before trying again (0: the queue's own backoff).
func (e *APIError) Retry() time.Duration { return e.RetryAfter }

// classify wraps errors that retrying cannot fix in deliver.Permanent: 400 (a bad request: a
// wrong chat, a file Telegram cannot use) and 413 (too big). 401, 403, 429 and 5xx stay
// retryable: a token or a blocked bot can be fixed, a flood limit or an outage passes.
func classify(err error) error {
	var ae *APIError
	if errors.As(err, &ae) && (ae.Code == http.StatusBadRequest || ae.Code == http.StatusRequestEntityTooLarge) {
		return &deliver.Permanent{Err: err}
	}
	return err
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 60 * time.Second}
}

func (c *Client) url(method string) string {
	base := c.BaseURL
	if base == "" {
		base = DefaultAPIURL
	}
	return strings.TrimSuffix(base, "/") + "/bot" + string(c.Token) + "/" + method
}

// redact removes the token from an error of the HTTP client (a *url.Error names the URL).
func (c *Client) redact(err error) error {
	var ue *url.Error
	if c.Token == "" || !errors.As(err, &ue) {
		return err
	}
	return &url.Error{Op: ue.Op, URL: strings.ReplaceAll(ue.URL, string(c.Token), "REDACTED"), Err: ue.Err}
}

// response is the Bot API's envelope.
type response struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// call posts body to method and decodes the result into out (may be nil).
// A nil body makes it a GET with query.
func (c *Client) call(ctx context.Context, method string, query url.Values, contentType string, body io.Reader, size int64, out any) error {
	verb, u := http.MethodPost, c.url(method)
	if body == nil {
		verb = http.MethodGet
	}
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, verb, u, body)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, c.redact(err))
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
		req.ContentLength = size
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, c.redact(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("telegram: %s: read answer: %w", method, err)
	}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		ae := &APIError{Method: method, Code: resp.StatusCode, Description: http.StatusText(resp.StatusCode)}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			ae.RetryAfter = time.Duration(s) * time.Second
		}
		if resp.StatusCode/100 == 2 {
			return fmt.Errorf("telegram: %s: answer is not JSON: %w", method, err)
		}
		return ae
	}
	if !r.OK {
		code := r.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		return &APIError{Method: method, Code: code, Description: r.Description,
			RetryAfter: time.Duration(r.Parameters.RetryAfter) * time.Second}
	}
	if out != nil {
		if err := json.Unmarshal(r.Result, out); err != nil {
			return fmt.Errorf("telegram: %s: decode result: %w", method, err)
		}
	}
	return nil
}

// callJSON posts v as JSON.
func (c *Client) callJSON(ctx context.Context, method string, v, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, err)
	}
	return c.call(ctx, method, nil, "application/json", bytes.NewReader(b), int64(len(b)), out)
}

// SendMessage sends text to a chat.
func (c *Client) SendMessage(ctx context.Context, chatID, text string) error {
	return c.callJSON(ctx, "sendMessage", map[string]string{"chat_id": chatID, "text": text}, nil)
}

// SendPhoto sends a JPEG from memory with a caption.
func (c *Client) SendPhoto(ctx context.Context, chatID, name string, jpeg []byte, caption string) error {
	return c.upload(ctx, "sendPhoto", "photo", "image/jpeg", name, bytes.NewReader(jpeg), int64(len(jpeg)),
		map[string]string{"chat_id": chatID, "caption": caption})
}

// SendPhotoFile sends a JPEG file with a caption, streaming it.
func (c *Client) SendPhotoFile(ctx context.Context, chatID, path, caption string) error {
	return c.uploadFile(ctx, "sendPhoto", "photo", "image/jpeg", path, map[string]string{"chat_id": chatID, "caption": caption})
}

// SendVideoFile sends an MP4 file with a caption, streaming it, playable while it downloads.
func (c *Client) SendVideoFile(ctx context.Context, chatID, path, caption string) error {
	return c.uploadFile(ctx, "sendVideo", "video", "video/mp4", path,
		map[string]string{"chat_id": chatID, "caption": caption, "supports_streaming": "true"})
}

func (c *Client) uploadFile(ctx context.Context, method, field, ctype, path string, fields map[string]string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, err)
	}
	return c.upload(ctx, method, field, ctype, filepath.Base(path), f, st.Size(), fields)
}

// upload posts a multipart form: fields, then the file as field. The body streams from r with a
// known length (no goroutine, no copy of the file in memory).
func (c *Client) upload(ctx context.Context, method, field, ctype, name string, r io.Reader, size int64, fields map[string]string) error {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	for _, k := range []string{"chat_id", "caption", "supports_streaming"} {
		if v, ok := fields[k]; ok && v != "" {
			if err := mw.WriteField(k, v); err != nil {
				return fmt.Errorf("telegram: %s: %w", method, err)
			}
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name))
	h.Set("Content-Type", ctype)
	if _, err := mw.CreatePart(h); err != nil {
		return fmt.Errorf("telegram: %s: %w", method, err)
	}
	prefix := bytes.Clone(head.Bytes())
	head.Reset()
	if err := mw.Close(); err != nil {
		return fmt.Errorf("telegram: %s: %w", method, err)
	}
	body := io.MultiReader(bytes.NewReader(prefix), io.LimitReader(r, size), bytes.NewReader(head.Bytes()))
	return c.call(ctx, method, nil, mw.FormDataContentType(), body, int64(len(prefix))+size+int64(head.Len()), nil)
}

// Update is one entry of getUpdates (only what the bot reads).
type Update struct {
	UpdateID int64    `json:"update_id"`
	Message  *Message `json:"message"`
}

// Message is a chat message.
type Message struct {
	MessageID int64  `json:"message_id"`
	Chat      Chat   `json:"chat"`
	From      *User  `json:"from"`
	Text      string `json:"text"`
}

// Chat is where a message was written.
type Chat struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"`
	Username string `json:"username"`
}

// User is a message's author.
type User struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

// GetUpdates long-polls for updates from offset, waiting up to timeout on the server.
func (c *Client) GetUpdates(ctx context.Context, offset int64, timeout time.Duration) ([]Update, error) {
	var out []Update
	q := url.Values{}
	q.Set("offset", strconv.FormatInt(offset, 10))
	q.Set("timeout", strconv.Itoa(int(timeout/time.Second)))
	err := c.call(ctx, "getUpdates", q, "", nil, 0, &out)
	return out, err
}
