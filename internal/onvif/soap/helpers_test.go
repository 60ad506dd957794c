package soap

import (
	"encoding/base64"
	"fmt"
	"time"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2025, 9, 30, 0, 16, 45, 0, time.UTC)

// zeepEnvelope is a request as Home Assistant's zeep-async client sends it: SOAP 1.2, wsa
// Action/MessageID/To with mustUnderstand, wsse:Security with a UsernameToken.
func zeepEnvelope(op, opNS, inner, user, password, created string, nonce []byte) string {
	return fmt.Sprintf(`<?xml version='1.0' encoding='utf-8'?>
<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope"><soap-env:Header xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Action soap-env:mustUnderstand="true">%[2]s/%[1]s</wsa:Action><wsa:MessageID>urn:uuid:0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6</wsa:MessageID><wsa:To soap-env:mustUnderstand="true">http://192.168.1.20:80/onvif/media_service</wsa:To><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>%[4]s</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">%[5]s</wsse:Password><wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">%[6]s</wsse:Nonce><wsu:Created xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">%[7]s</wsu:Created></wsse:UsernameToken></wsse:Security></soap-env:Header><soap-env:Body><ns0:%[1]s xmlns:ns0="%[2]s">%[3]s</ns0:%[1]s></soap-env:Body></soap-env:Envelope>`,
		op, opNS, inner, user, PasswordDigestOf(nonce, created, password),
		base64.StdEncoding.EncodeToString(nonce), created)
}

// npmEnvelope is a request as the npm onvif package (agsh/onvif) sends it: SOAP 1.2, no wsa,
// default-namespace Security with s:mustUnderstand and Created in the wsu default namespace.
func npmEnvelope(op, opNS, inner, user, password, created string, nonce []byte) string {
	return fmt.Sprintf(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken><Username>%[4]s</Username><Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">%[5]s</Password><Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">%[6]s</Nonce><Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">%[7]s</Created></UsernameToken></Security></s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><%[1]s xmlns="%[2]s">%[3]s</%[1]s></s:Body></s:Envelope>`,
		op, opNS, inner, user, PasswordDigestOf(nonce, created, password),
		base64.StdEncoding.EncodeToString(nonce), created)
}
