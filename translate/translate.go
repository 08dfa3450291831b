// Package translate turns a webhook event into the markdown message a group
// robot shows. It is pure: no network, no clock, no logging. The server
// decodes with a source (translate/coding), renders per target kind with a
// Renderer and builds the wire body with Body; everything here is safe for
// concurrent use.
package translate

// Target is a robot kind, which is also a markdown dialect: DingTalk, WeCom
// and Feishu disagree on line breaks, lists, colours, escapes and raw HTML,
// and WeCom's two message types (markdown and markdown_v2) disagree with
// each other.
type Target string

// The targets the relay renders for.
const (
	// DingTalk is a DingTalk custom robot (msgtype markdown).
	DingTalk Target = "dingtalk"
	// WeCom is a WeCom group robot sent msgtype markdown (v1): colours and
	// <@userid> mentions, but no lists.
	WeCom Target = "wecom"
	// WeComV2 is a WeCom group robot sent msgtype markdown_v2: real lists
	// (and tables, code blocks, images), but no colours and no mentions, so
	// its messages have plain-text status words and nobody @-mentioned. The
	// content limit is WeCom's (WeComMaxContent). A WeCom robot configured
	// for markdown_v2 should be rendered for this target and sent Body as
	// it is.
	WeComV2 Target = "wecom_v2"
	// Feishu is a Feishu (Lark) custom bot sent an interactive card: the
	// title in its header, the text in its markdown element (Feishu's own
	// subset: colours, lists and <at id=…></at> mentions, but no headings
	// or quotes), a button to the link; see FeishuCardOverhead.
	Feishu Target = "feishu"
)

// Targets lists the targets in a stable order.
var Targets = []Target{DingTalk, WeCom, WeComV2, Feishu}

// Size limits of the targets (see shared robot-api.md).
const (
	// DingTalkMaxBody is the DingTalk limit on the whole JSON request body;
	// a body must be strictly smaller.
	DingTalkMaxBody = 20000
	// WeComMaxContent is the WeCom limit on markdown.content (and
	// markdown_v2.content) in UTF-8 bytes.
	WeComMaxContent = 4096
)

// Message is what one group sees for one event, already in the target's
// markdown dialect and already small enough for the target.
type Message struct {
	Target  Target `json:"target"`
	Event   string `json:"event"`
	Action  string `json:"action,omitempty"`
	Title   string `json:"title"`
	Text    string `json:"text"`
	Summary string `json:"summary"` // one line in the target's markdown, used by digests
	Link    string `json:"link,omitempty"`
	// Outcome is how the event ended: OutcomeSuccess, OutcomeFailure,
	// OutcomeWarning or OutcomeNeutral (""), for kinds that show it
	// besides the text (a Feishu card's header colour).
	Outcome string `json:"outcome,omitempty"`
	// Lang is the language of the templates that rendered it ("zh",
	// "en"), for what a kind adds around the text (a card's button).
	Lang string `json:"lang,omitempty"`

	AtMobiles []string `json:"at_mobiles,omitempty"`
	AtUserIDs []string `json:"at_user_ids,omitempty"`
}
