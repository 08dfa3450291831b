package translate

import "text/template"

// Dialect is the markdown of one kind of robot message: how user text is
// made inert, how links, list items, colours and @-mentions are written,
// what the kind can show, and how big a message may be. A robot kind
// implements it in its own package (composing the escaping building blocks
// of this one: EscapeInline, EscapeLinkText, NoPipes, MarkdownLink,
// QuoteLines); a Renderer renders for the dialects of Options.Dialects.
// Implementations must be safe for concurrent use.
type Dialect interface {
	// Name is the target: the Message.Target of what is rendered in it
	// (stored with queued messages, so it never changes) and the
	// <target>.<event>.<part> template names.
	Name() Target
	// Capabilities is what the dialect can show; templates ask for it
	// (.Headings, .Colors, …).
	Capabilities() Capabilities
	// Escape makes one line of user text (a title, a name, a commit
	// subject) inert: no markup, mention, link or block can form.
	Escape(s string) string
	// Link is a link to href showing text, user text the dialect escapes.
	// href is a clean http(s) URL, or "" for none: then the escaped text
	// alone. An empty text shows as "link".
	Link(text, href string) string
	// Quote shows multi-line user text (a description, a comment) as a
	// quote, every line escaped.
	Quote(s string) string
	// Bullet starts a list item.
	Bullet() string
	// Color shows text, the template's own words, in the colour of level
	// (success, info, failure, warning, error, running, comment, neutral;
	// lower case); the text alone for a level or a dialect without one.
	Color(level, text string) string
	// MentionKeys are the keys of a user's Mention (RELAY_MENTIONS) the
	// dialect @-mentions by, in order of preference; none when it cannot
	// mention.
	MentionKeys() []MentionKey
	// MentionLine is the text that @-mentions these people, appended to
	// the message's text after a blank line; "" for nobody.
	MentionLine(mobiles, ids []string) string
	// Size is what the dialect's limit is measured on for m: the length of
	// the wire body it is sent in, with room for what sending adds (a
	// message id, a signature), or of the part of it the service limits.
	Size(m Message) int
	// Limit is the largest Size a message may have.
	Limit() int
}

// Capabilities is what a dialect can show. Templates see each as a field
// (.Headings, .Colors, …) and ask for what they need, never for a kind.
type Capabilities struct {
	Headings bool // "#### " starts a heading
	Colors   bool // color shows colours (else the words alone: say it with mark too)
	Lists    bool // "- " items show as a list (bullet starts an item either way)
	Quotes   bool // "> " lines show as a quote
	Mentions bool // .Mention @-mentions people
	Card     bool // a card: its header shows the title, its button the link
}

// MentionKey is one key of a Mention that a dialect reads.
type MentionKey struct {
	Name  string // as in RELAY_MENTIONS: "wecom_userid"
	Phone bool   // a phone number (Message.AtMobiles), else an id (AtUserIDs)
}

// dialect is a Dialect with what a Renderer keeps for it: its parsed
// templates, and what it asks once rather than in every render.
type dialect struct {
	Dialect
	set  *template.Template
	caps Capabilities
	keys []MentionKey
}
