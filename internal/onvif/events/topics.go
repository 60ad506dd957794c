package events

import (
	"encoding/xml"
	"time"
)

// The topics freecam publishes, as sent (the tns1: prefix text matters: Home Assistant and
// Synology match it literally).
const (
	TopicMotionAlarm = "tns1:VideoSource/MotionAlarm"
	TopicCellMotion  = "tns1:RuleEngine/CellMotionDetector/Motion"
)

// Tokens the messages name; they match the media service's configuration tokens.
const (
	VideoSourceToken              = "VideoSource_1"
	VideoSourceConfigurationToken = "VideoSourceConfig_1"
	VideoAnalyticsConfigToken     = "VideoAnalyticsConfig_1"
	MotionRuleName                = "MyMotionDetectorRule"
)

// Dialects and locations advertised by GetEventProperties and used on every Topic.
const (
	dialectConcreteSet    = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
	dialectConcrete       = "http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete"
	dialectItemFilter     = "http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
	topicNamespaceLoc     = "http://www.onvif.org/onvif/ver10/topics/topicns.xml"
	messageContentSchema  = "http://www.onvif.org/onvif/ver10/schema/onvif.xsd"
	opInitialized         = "Initialized"
	opChanged             = "Changed"
	topicMotionAlarmIndex = 0
	topicCellMotionIndex  = 1
)

// message is one queued notification: immutable once queued, shared by every subscription.
type message struct {
	topic int // topicMotionAlarmIndex or topicCellMotionIndex
	op    string
	at    time.Time
	state bool
}

// motionMessages returns the pair of messages that carry one motion state.
func motionMessages(op string, at time.Time, state bool) [2]message {
	return [2]message{
		{topic: topicMotionAlarmIndex, op: op, at: at, state: state},
		{topic: topicCellMotionIndex, op: op, at: at, state: state},
	}
}

// Wire shapes of a wsnt:NotificationMessage (reference §3.5).
type notificationMessage struct {
	XMLName xml.Name  `xml:"wsnt:NotificationMessage"`
	Topic   wireTopic `xml:"wsnt:Topic"`
	Message struct {
		Message ttMessage `xml:"tt:Message"`
	} `xml:"wsnt:Message"`
}

type wireTopic struct {
	Dialect string `xml:"Dialect,attr"`
	Value   string `xml:",chardata"`
}

type ttMessage struct {
	UtcTime           string    `xml:"UtcTime,attr"`
	PropertyOperation string    `xml:"PropertyOperation,attr,omitempty"`
	Source            itemGroup `xml:"tt:Source"`
	Data              itemGroup `xml:"tt:Data"`
}

type itemGroup struct {
	Items []simpleItem `xml:"tt:SimpleItem"`
}

type simpleItem struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:"Value,attr"`
}

var (
	motionAlarmSource = []simpleItem{{Name: "Source", Value: VideoSourceToken}}
	cellMotionSource  = []simpleItem{
		{Name: "VideoSourceConfigurationToken", Value: VideoSourceConfigurationToken},
		{Name: "VideoAnalyticsConfigurationToken", Value: VideoAnalyticsConfigToken},
		{Name: "Rule", Value: MotionRuleName},
	}
	stateTrue  = []simpleItem{{Name: "State", Value: "true"}}
	stateFalse = []simpleItem{{Name: "State", Value: "false"}}
	isMotionT  = []simpleItem{{Name: "IsMotion", Value: "true"}}
	isMotionF  = []simpleItem{{Name: "IsMotion", Value: "false"}}
)

// wire renders m; the item slices are shared and never modified.
func (m *message) wire() notificationMessage {
	var n notificationMessage
	n.Topic.Dialect = dialectConcreteSet
	tm := &n.Message.Message
	tm.UtcTime = formatTime(m.at)
	tm.PropertyOperation = m.op
	switch m.topic {
	case topicMotionAlarmIndex:
		n.Topic.Value = TopicMotionAlarm
		tm.Source.Items = motionAlarmSource
		tm.Data.Items = stateFalse
		if m.state {
			tm.Data.Items = stateTrue
		}
	default:
		n.Topic.Value = TopicCellMotion
		tm.Source.Items = cellMotionSource
		tm.Data.Items = isMotionF
		if m.state {
			tm.Data.Items = isMotionT
		}
	}
	return n
}

// eventProperties is the GetEventProperties response body: both topics described in a fixed
// topic set (reference §3.5), in schema order.
const eventProperties = `<tev:GetEventPropertiesResponse>` +
	`<tev:TopicNamespaceLocation>` + topicNamespaceLoc + `</tev:TopicNamespaceLocation>` +
	`<wsnt:FixedTopicSet>true</wsnt:FixedTopicSet>` +
	`<wstop:TopicSet>` +
	`<tns1:VideoSource><MotionAlarm wstop:topic="true">` +
	`<tt:MessageDescription IsProperty="true">` +
	`<tt:Source><tt:SimpleItemDescription Name="Source" Type="tt:ReferenceToken"/></tt:Source>` +
	`<tt:Data><tt:SimpleItemDescription Name="State" Type="xs:boolean"/></tt:Data>` +
	`</tt:MessageDescription></MotionAlarm></tns1:VideoSource>` +
	`<tns1:RuleEngine><CellMotionDetector><Motion wstop:topic="true">` +
	`<tt:MessageDescription IsProperty="true">` +
	`<tt:Source>` +
	`<tt:SimpleItemDescription Name="VideoSourceConfigurationToken" Type="tt:ReferenceToken"/>` +
	`<tt:SimpleItemDescription Name="VideoAnalyticsConfigurationToken" Type="tt:ReferenceToken"/>` +
	`<tt:SimpleItemDescription Name="Rule" Type="xs:string"/>` +
	`</tt:Source>` +
	`<tt:Data><tt:SimpleItemDescription Name="IsMotion" Type="xs:boolean"/></tt:Data>` +
	`</tt:MessageDescription></Motion></CellMotionDetector></tns1:RuleEngine>` +
	`</wstop:TopicSet>` +
	`<wsnt:TopicExpressionDialect>` + dialectConcreteSet + `</wsnt:TopicExpressionDialect>` +
	`<wsnt:TopicExpressionDialect>` + dialectConcrete + `</wsnt:TopicExpressionDialect>` +
	`<tev:MessageContentFilterDialect>` + dialectItemFilter + `</tev:MessageContentFilterDialect>` +
	`<tev:MessageContentSchemaLocation>` + messageContentSchema + `</tev:MessageContentSchemaLocation>` +
	`</tev:GetEventPropertiesResponse>`
