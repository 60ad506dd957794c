package soap

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultLimit is the request size ParseRequest accepts when its limit is zero or negative.
const DefaultLimit = 256 << 10

// Errors a request can fail with; ParseError maps them to faults. Test with errors.Is.
var (
	ErrTooLarge        = errors.New("request body too large")
	ErrDoctype         = errors.New("DOCTYPE and entity declarations are not allowed")
	ErrNotEnvelope     = errors.New("root element is not a SOAP envelope")
	ErrVersionMismatch = errors.New("envelope namespace is not SOAP 1.1 or 1.2")
	ErrNoBody          = errors.New("envelope has no Body")
	ErrNoOperation     = errors.New("Body has no operation element")
	ErrEncoding        = errors.New("only UTF-8 requests are accepted")
)

// RequestError is the error ParseRequest returns. Version is the envelope's SOAP version when
// the root element was recognised (otherwise V12), so the fault can be written in the client's
// version.
type RequestError struct {
	Version Version
	Err     error
}

func (e *RequestError) Error() string { return "soap: parse request: " + e.Err.Error() }
func (e *RequestError) Unwrap() error { return e.Err }

// Request is a parsed SOAP request.
type Request struct {
	Version Version
	// Operation is the QName of the first child element of Body: dispatch on it, not on the
	// SOAPAction or wsa:Action header.
	Operation xml.Name
	// Body is the raw inner XML of the operation element. Prefixes declared on Envelope or
	// Body are not repeated in it; use Decode to unmarshal with them in scope.
	Body []byte
	// Security is the first wsse:Security/wsse:UsernameToken; nil when absent.
	Security *UsernameToken
	// MessageID is wsa:MessageID (WS-Addressing 2005/08 or 2004/08), "" when absent.
	MessageID string

	element []byte     // the whole operation element
	nsScope []xml.Attr // xmlns declarations of Envelope and Body
}

// Decode unmarshals the operation element into v (as xml.Unmarshal would) with the namespace
// declarations of Envelope and Body in scope.
func (r *Request) Decode(v any) error {
	var b bytes.Buffer
	b.Grow(len(r.element) + 64*len(r.nsScope) + 8)
	b.WriteString("<w")
	for _, a := range r.nsScope {
		b.WriteByte(' ')
		if a.Name.Space == "xmlns" {
			b.WriteString("xmlns:")
			b.WriteString(a.Name.Local)
		} else {
			b.WriteString("xmlns")
		}
		b.WriteString(`="`)
		xml.EscapeText(&b, []byte(a.Value)) //nolint:errcheck // bytes.Buffer never fails
		b.WriteByte('"')
	}
	b.WriteByte('>')
	b.Write(r.element)
	b.WriteString("</w>")
	d := xml.NewDecoder(&b)
	if _, err := d.Token(); err != nil {
		return fmt.Errorf("soap: decode %s: %w", r.Operation.Local, err)
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("soap: decode %s: %w", r.Operation.Local, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if err := d.DecodeElement(v, &se); err != nil {
				return fmt.Errorf("soap: decode %s: %w", r.Operation.Local, err)
			}
			return nil
		}
	}
}

// ParseRequest reads one SOAP 1.1 or 1.2 envelope of at most limit bytes (DefaultLimit when
// limit <= 0) from r. It refuses DOCTYPE and other directives, malformed or truncated XML,
// envelopes without a Body operation and bodies over the limit (ErrTooLarge); every error is a
// *RequestError. Headers other than wsse:Security and wsa:MessageID, and mustUnderstand, are
// ignored. It is safe for concurrent use.
func ParseRequest(r io.Reader, limit int64) (*Request, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, &RequestError{Err: fmt.Errorf("read: %w", err)}
	}
	if int64(len(data)) > limit {
		return nil, &RequestError{Err: fmt.Errorf("%w: over %d bytes", ErrTooLarge, limit)}
	}
	p := parser{data: data, d: xml.NewDecoder(bytes.NewReader(data))}
	p.d.CharsetReader = func(charset string, _ io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("%w (the request declares %.32q)", ErrEncoding, charset)
	}
	req, err := p.parse()
	if err != nil {
		return nil, &RequestError{Version: p.version, Err: err}
	}
	return req, nil
}

type parser struct {
	data    []byte
	d       *xml.Decoder
	version Version
}

// token returns the next token, refusing directives (DOCTYPE, ENTITY).
func (p *parser) token() (xml.Token, error) {
	tok, err := p.d.Token()
	if err != nil {
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if _, ok := tok.(xml.Directive); ok {
		return nil, ErrDoctype
	}
	return tok, nil
}

// outside consumes the prolog or epilog up to the root element (or EOF when end is set),
// allowing only whitespace, comments and processing instructions.
func (p *parser) outside(end bool) (*xml.StartElement, error) {
	for {
		tok, err := p.d.Token()
		if err == io.EOF && end {
			return nil, nil
		}
		if err != nil {
			if err == io.EOF {
				return nil, ErrNotEnvelope
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, ErrDoctype
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return nil, errors.New("text outside the envelope")
			}
		case xml.StartElement:
			if end {
				return nil, errors.New("content after the envelope")
			}
			return &t, nil
		}
	}
}

func (p *parser) parse() (*Request, error) {
	root, err := p.outside(false)
	if err != nil {
		return nil, err
	}
	if root.Name.Local != "Envelope" {
		return nil, ErrNotEnvelope
	}
	switch root.Name.Space {
	case NSSoap12:
		p.version = V12
	case NSSoap11:
		p.version = V11
	default:
		return nil, fmt.Errorf("%w: %q", ErrVersionMismatch, root.Name.Space)
	}
	env := root.Name.Space
	req := &Request{Version: p.version, nsScope: appendNSDecls(nil, root.Attr)}
	var sawBody bool
	for {
		tok, err := p.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Space == env && t.Name.Local == "Header" && !sawBody:
				if err := p.header(req); err != nil {
					return nil, fmt.Errorf("header: %w", err)
				}
			case t.Name.Space == env && t.Name.Local == "Body":
				if sawBody {
					return nil, errors.New("more than one Body")
				}
				sawBody = true
				req.nsScope = appendNSDecls(req.nsScope, t.Attr)
				if err := p.body(req); err != nil {
					return nil, fmt.Errorf("body: %w", err)
				}
			default:
				if err := p.skip(); err != nil {
					return nil, err
				}
			}
		case xml.EndElement: // the Envelope's; the decoder checks nesting
			if !sawBody {
				return nil, ErrNoBody
			}
			if _, err := p.outside(true); err != nil {
				return nil, err
			}
			return req, nil
		}
	}
}

// skip consumes the rest of the element whose start was just read.
func (p *parser) skip() error {
	for depth := 1; depth > 0; {
		tok, err := p.token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// appendNSDecls appends the xmlns declarations among attrs to scope.
func appendNSDecls(scope, attrs []xml.Attr) []xml.Attr {
	for _, a := range attrs {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			scope = append(scope, a)
		}
	}
	return scope
}

// wireToken is a wsse:UsernameToken as sent. Child names match in any namespace: some clients
// put Created in wsse instead of wsu.
type wireToken struct {
	Username string `xml:"Username"`
	Password struct {
		Type  string `xml:"Type,attr"`
		Value string `xml:",chardata"`
	} `xml:"Password"`
	Nonce   string `xml:"Nonce"`
	Created string `xml:"Created"`
}

func (p *parser) header(req *Request) error {
	for {
		tok, err := p.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			switch {
			case t.Name.Space == NSWSSE && t.Name.Local == "Security" && req.Security == nil:
				var sec struct {
					Tokens []wireToken `xml:"UsernameToken"`
				}
				if err := p.d.DecodeElement(&sec, &t); err != nil {
					return fmt.Errorf("wsse:Security: %w", err)
				}
				if len(sec.Tokens) > 0 {
					req.Security = newUsernameToken(&sec.Tokens[0])
				}
			case t.Name.Local == "MessageID" && (t.Name.Space == NSWSA || t.Name.Space == NSWSA200408):
				var id string
				if err := p.d.DecodeElement(&id, &t); err != nil {
					return fmt.Errorf("wsa:MessageID: %w", err)
				}
				req.MessageID = strings.TrimSpace(id)
			default:
				if err := p.skip(); err != nil {
					return err
				}
			}
		}
	}
}

func newUsernameToken(w *wireToken) *UsernameToken {
	t := &UsernameToken{
		Username: strings.TrimSpace(w.Username),
		Password: w.Password.Value,
		NonceRaw: strings.TrimSpace(w.Nonce),
		Created:  strings.TrimSpace(w.Created),
	}
	switch typ := strings.TrimSpace(w.Password.Type); {
	case typ == "" || typ == TypePasswordText || strings.HasSuffix(typ, "#PasswordText"):
		t.PasswordType = PasswordText
	case typ == TypePasswordDigest || strings.HasSuffix(typ, "#PasswordDigest"):
		t.PasswordType = PasswordDigest
		t.Password = strings.TrimSpace(t.Password)
	default:
		t.PasswordType = PasswordUnsupported
	}
	if t.NonceRaw != "" {
		if n, err := base64.StdEncoding.DecodeString(t.NonceRaw); err == nil {
			t.Nonce = n
		}
	}
	return t
}

// body reads the Body element whose start was just read: the first child element is the
// operation, anything after it is skipped.
func (p *parser) body(req *Request) error {
	for {
		start := p.d.InputOffset()
		tok, err := p.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if req.Operation.Local == "" {
				return ErrNoOperation
			}
			return nil
		case xml.StartElement:
			if req.Operation.Local != "" {
				if err := p.skip(); err != nil {
					return err
				}
				continue
			}
			req.Operation = t.Name
			inner := p.d.InputOffset()
			for depth := 1; ; {
				end := p.d.InputOffset()
				tok, err := p.token()
				if err != nil {
					return err
				}
				switch tok.(type) {
				case xml.StartElement:
					depth++
				case xml.EndElement:
					depth--
				}
				if depth == 0 {
					req.Body = p.data[inner:end:end]
					req.element = p.data[start:p.d.InputOffset():p.d.InputOffset()]
					break
				}
			}
		}
	}
}
