# frontdesk's words in English: the reference catalog.
#
# Every other locale has every message here, with the same variables (a test checks).
# Variables are filled in by each chat platform in its own style: a request id may be shown
# bold, a user as a mention, a command as the platform spells it. Write no markup here.
# An admin can override any message with server.messages_file.

## Building blocks

# Words from the configuration or a person, shown as they are.
plain = { $text }
list-and = { $init } and { $last }
you = you
this-team = this team
duration-days = { $n }d
duration-hours = { $n }h
duration-minutes = { $n }m
duration-seconds = { $n }s
# The argument of the start command in help texts: /help-it <what you need>
command-what-you-need = what you need
status-open = open
status-claimed = claimed
status-closed = closed
status-cancelled = cancelled

## Buttons

button-new-request = New request
button-yes-team = Yes, { $team }
button-other-team = No, another team
button-back = Back
button-skip = Skip
button-cancel = Cancel
button-submit = Submit
button-claim = Claim
button-close = Close
button-reopen = Reopen
rating-1 = 1 · poor
rating-2 = 2
rating-3 = 3
rating-4 = 4
rating-5 = 5 · great
choice-request = { $id }: { $summary }

## Help

help-intro = I'm the front desk for { $teams } requests.
help-intro-any = I'm the front desk for your requests.
help-start = • { $command } (or message me) starts a request; I'll ask a few questions.
help-status = • { $command } lists your open requests.
help-cancel = • { $command } cancels one of yours.
help-answering = • While answering: { $back } goes to the previous question, { $skip } skips an optional one, { $cancel } stops.
help-reply = Once a request is in, reply to me here and I'll pass your message on to the team.
no-draft = That conversation has ended. Start a new request whenever you need us.

## Commands and direct messages

intake-started-dm = I've sent you a direct message to collect the details.
cancel-bad-id = { $id } is not a request id. Use { $cancel }; { $status } lists yours.
cancel-which = Which request? Use { $cancel }; { $status } lists yours.
pending-dropped = OK, I won't pass that message on.
nothing-to-cancel = There's no request in progress to cancel. To cancel one you sent, type { $cancel }; { $status } lists yours.
which-not-yours = { $id } isn't one of your open requests. Which one is your message for?
which-several = You have several open requests. Which one is this message for?
request-unknown = I can't find request { $id }.
reply-to-not-yours = Only the person who opened { $id } can write to its team here.
reply-to-ask = Type your message and I'll pass it on to the people handling { $id }.
status-none = You have no open requests.
status-header = Your open requests:
status-line = • { $id } { $summary } — { $status } ({ $who })
status-with = with { $user }
status-waiting = waiting for someone to pick it up

## Intake

intake-restarted = Starting a new request (the one you were writing is discarded).
draft-expired = The request you were writing expired after { $after } without an answer, so I dropped it. Type { $command } (or message me { $new }) to start again.
draft-expired-restart = The request you were writing expired after { $after } without an answer, so I dropped it. Let's start again.
draft-cancelled = Cancelled; nothing was sent. Start again whenever you need us.
ask-department = Which team can help? Pick one, or type its name or number.
ask-confirm-department = It sounds like a request for { $team }. Is that right?
ask-describe = In a sentence or two, what do you need?
ask-optional = { $prompt } (optional)
ask-field-gone = Something changed in this team's questions; please type { $back }.
summary-header = Please check your { $team } request:
summary-need = • What you need: { $summary }
summary-answer = • { $prompt } { $answer }
summary-no-answer = —
summary-submit = Submit it?
hint-help = Answer the question below; { $back } goes to the previous question, { $skip } skips an optional one, { $cancel } stops.
hint-department = I didn't catch that: reply with a number from 1 to { $count } or a team's name.
hint-yes-no = Please answer yes or no (or type the team's name).
hint-confirm = Reply { $submit } to send it, { $back } to change an answer, or { $cancel } to drop it.
hint-stale-button = That button belongs to an earlier question.
hint-team-gone = That team no longer exists; please pick another.
hint-cannot-skip = This question can't be skipped.
hint-pick-option = Please pick one of: { $options } (or its number).
hint-type-answer = Please type an answer.
hint-required-missing = One required question is still unanswered.
submitted = Thanks! Your request { $id } is with { $team }. They aim to respond within { $sla }; you'll hear from them right here. Reply here any time to add details.

## A request's life

cancel-unknown = I can't find request { $id }. { $status } lists yours.
cancel-not-yours = Only the person who opened { $id } can cancel it.
request-already = { $id } is already { $status }.
cancelled = Cancelled { $id }. The team has been told.
thread-cancelled = { $user } cancelled this request.
thread-requester-wrote = { $user } (requester) wrote:
relayed-to-team = Passed on to the team handling { $id }.
agent-wrote = { $user } on { $id }:
claim-not-agent = Only { $team } agents can claim { $id }.
claim-already-yours = You already have { $id }.
claim-taken = { $id } is already claimed by { $user }.
claim-closed = { $id } is { $status }; reopen it first.
claimed = { $user } is now working on { $id }.
close-not-allowed = Only the team's agents or the requester can close { $id }.
closed-by = { $id } was closed by { $who }.
survey-sent-by-dm = I've sent you a short survey by direct message.
reopen-not-closed = { $id } is { $status }, not closed.
reopen-not-allowed = Only the team's agents or the requester can reopen { $id }.
reopened-by = { $id } was reopened by { $who }.
reminder = ⏰ { $id } has waited { $waited } without a response (service level: { $sla }).
reminder-escalated = { $user } ⏰ { $id } has waited { $waited } without a response (service level: { $sla }).

## Service levels on business hours

# The expected first response, a local weekday and time ("Monday 10:30").
first-response-by = Expect a first response by { $when }.
local-time = { $day } { $time }
local-date-time = { $day } { $date } { $time }
# A local time in the department's zone, when the reader's own is unknown.
local-time-zone = { $when } ({ $zone })
weekday-mon = Monday
weekday-tue = Tuesday
weekday-wed = Wednesday
weekday-thu = Thursday
weekday-fri = Friday
weekday-sat = Saturday
weekday-sun = Sunday
resolution-reminder = ⏰ { $id } is still not resolved after { $used } of business time (resolution service level: { $sla }); { $who }.
resolution-nobody = nobody has claimed it
escalation-thread = { $who } { $what }
escalation-unanswered = 🚨 Escalation { $step }: { $id } has had no response for { $waited } of business time.
escalation-unresolved = 🚨 Escalation { $step }: { $id } is still not resolved after { $waited } of business time.
escalation-channel = { $what } “{ $summary }”: { $card }
escalation-channel-hidden = { $what }: { $card }

## Survey

survey-ask = How did we do with { $id }? Rate it from 1 (poor) to 5 (great).
survey-reminder = A quick reminder: how did we do with { $id }? One click is enough.
survey-rated = Thanks for rating { $id } { $rating }/5! Anything you'd like to add? Type a comment, or skip.
survey-thanks = Thank you for your feedback!
survey-answered = Thanks, you rated { $id } { $rating }/5.
survey-withdrawn = Its survey is withdrawn, so there's no need to answer it.
rate-not-yours = Only the requester can rate a request.
rate-not-closed = { $id } isn't closed yet, so there's nothing to rate.
rate-no-survey = There's no survey for { $id }, so there's nothing to rate.
rate-withdrawn = The survey about { $id } was withdrawn when it was reopened, so there's nothing to rate.
rate-already = Your rating for { $id } is already recorded. Thanks!

## Request cards and the Slack App Home

card-requester = Requester
card-department = Department
card-priority = Priority
card-status = Status
card-assignee = Assignee
card-created = Created
card-description = Description
# A request filed from a channel message: a link to it, and who filed it for the requester.
card-origin = Filed from
card-origin-link = the message
card-filed-by = Filed by
card-skipped = skipped
card-hint = Reply in this thread to write to the requester; start with { $prefix } to keep a note internal.
card-hint-close = React with { $reaction } to close.
card-fallback = { $id }: { $summary } ({ $status }, { $priority } priority) from { $requester }
card-fallback-assigned = { $id }: { $summary } ({ $status }, { $priority } priority) from { $requester }, with { $assignee }
card-fallback-confidential = { $id } ({ $status }): a confidential request
status-title-open = Open
status-title-claimed = Claimed
status-title-closed = Closed
status-title-cancelled = Cancelled
priority-low = low
priority-normal = normal
priority-high = high
priority-urgent = urgent
home-title = Your help requests
home-intro = Need something? Start a request here, or type { $command } in any channel.
home-line = { $id } { $summary }
home-line-status = { $status } · opened { $date }
home-line-status-assigned = { $status } · with { $user } · opened { $date }
home-open = Open
home-open-count = Open ({ $count })
home-nothing-open = Nothing open right now.
home-recent = Recently closed

## Answers from the platforms' adapters

command-failed = Sorry, something went wrong on our side and your request was not recorded. Please try again in a minute.
channel-pointer = I post help requests in this channel and pass replies written under a request's card on to the person who asked. Use the buttons on a card to claim or close it. To ask for help yourself, open a chat with me and type { $help }.

## Confidential departments and explicit replies

button-view-details = View details
button-reply-requester = Reply to requester
thread-requester-wrote-hidden = The requester wrote to the team. Use “View details” to read it.
thread-cancelled-hidden = The requester cancelled this request.
thread-sent-to-requester = ✉️ Sent to the requester by { $user }:
thread-sent-to-requester-hidden = ✉️ { $user } sent a reply to the requester.
details-title = { $id }: the details, only for you
details-answer = { $prompt }: { $value }
details-message = { $user }: { $text }
details-close = Close
details-not-agent = Only the team's agents can see the details of { $id }.
reply-not-agent = Only the team's agents can write to the requester of { $id }.
reply-how = To write to the requester of { $id }, send { $example }. Only what you send that way reaches them; the thread stays among the team.
reply-usage = Write it as { $example }: the request's id, then your message.
reply-sent = Sent to the requester of { $id }.
reply-modal-label = Your message to the requester of { $id }. Only this reaches them.
reply-modal-send = Send
## Words people type

# What a person may type, as a message of its own, instead of a command or a yes/no answer:
# this language's words, separated by commas. Compared in any case, without punctuation, in
# every language the desk writes; the English words below always work as well.
typed-help = help
typed-status = status, my requests
typed-cancel = cancel, stop, quit
typed-queue = queue, my queue
typed-back = back
typed-skip = skip
typed-yes = yes, y, yep, yeah, ok, okay, correct, right, sure
typed-no = no, n, nope, wrong

## The console

# A request card's second line in `frontdesk console`, after its id and summary.
console-card = { $department } · requester { $requester } · priority { $priority } · status { $status }
console-card-assignee = assignee { $assignee }

## Assignment, waiting on the requester, and the queue

status-on-requester = waiting on the requester
status-title-waiting = Waiting on requester
button-wait = Waiting on requester
button-take-over = Take over
button-reassign = Reassign…
button-unassign = Unassign
button-assign-to = Assign to { $user }
assigned-requester = { $user } has your request { $id } now.
assigned-to-you = { $id } is yours now.
assigned-away = { $id } is with { $user } now.
assign-not-agent = Only the team's agents can hand { $id } on.
assign-not-an-agent = That person isn't one of the team's agents, so { $id } stays where it is.
assign-already = { $id } is already with { $user }.
unassign-nobody = Nobody has { $id } yet.
unassigned-requester = { $id } is back in the team's queue; the next free agent will pick it up.
reassign-who = Who should have { $id }?
reassign-nobody = There is nobody else to give { $id } to: the team lists no other agents.
wait-not-agent = Only the team's agents can set { $id } to wait on its requester.
wait-already = { $id } is already waiting on its requester.
wait-set = { $id } now waits on its requester; their reply resumes it.
wait-usage = Write it as { $example }: the request's id, then what you need from the requester.
waiting-requester = { $user } needs something from you for { $id }:
waiting-reply-here = Reply here to continue.
thread-waiting = ⏸️ { $user } set this request to wait on the requester.
waiting-nudge = The team is still waiting for your reply on { $id }. Without one it will be closed in { $left }.
thread-closed-no-reply = Closed: no reply from the requester in { $waited }.
closed-no-reply = { $id } was closed because we didn't hear back in { $waited }. Open a new request any time.
queue-title = Your queue:
queue-empty = Your queue is empty: nothing open in your departments.
queue-overdue = Overdue ({ $count }):
queue-due-soon = Due soon ({ $count }):
queue-unassigned = Unassigned ({ $count }):
queue-mine = Mine ({ $count }):
queue-line = { $id } · { $status } · { $assignee } · filed { $age } ago · { $left } left
queue-line-overdue = { $id } · { $status } · { $assignee } · filed { $age } ago · overdue by { $over }
queue-line-no-clock = { $id } · { $status } · { $assignee } · filed { $age } ago
queue-nobody = nobody
queue-not-agent = The queue is for agents, and you aren't an agent of any department.
queue-no-department = You aren't an agent of a department called { $department }.

## The request form

button-fill-form = Fill in a form
form-title = New request
form-department = Which team can help?
form-department-placeholder = Pick a team
form-requester = Who is it for?
form-summary = What do you need?
form-pick-department = Pick the team that can help.
form-say-what = Say in a few words what you need.
form-required = This one is needed.
form-filed-for = Filed { $id } for { $user }; they'll hear from the team directly.
form-unavailable = The form opens from its button in Slack. You can also just keep answering here.
# The request form on Teams: the "Create request" message extension and the form card in the
# personal chat.
# What typed alone opens the form in the personal chat.
teams-form-word = form
teams-form-next = Next
teams-form-field-error = { $field }: { $problem }
teams-form-filed = Filed { $id } with { $team }.
teams-form-author-unknown = { $name } hasn't written to the desk yet, so the request is in your name and updates come to you.
teams-form-asked-by = Asked by { $name } in Teams.
teams-form-done = Sent as { $id }. The confirmation follows in this chat.
teams-form-already = This was sent already.
teams-form-already-as = This was sent already, as { $id }.
## The weekly digest in a department channel

digest-heading = 📊 { $department }: weekly digest { $week } ({ $from } to { $to })
digest-quiet = No requests this week.
digest-resolved = Resolved: { $resolved } (filed: { $filed })
digest-first-response-met = First response: median { $median }, target { $target } (met, { $count } answered)
digest-first-response-missed = First response: median { $median }, target { $target } (missed, { $count } answered)
digest-first-response-none = First response: none this week, target { $target }
digest-rating = Rating: { $average } average from { $count } ratings
digest-rating-none = Rating: no ratings this week
digest-said = What people said:
digest-comment = “{ $text }” ({ $rating }/5, { $id })
digest-comment-by = { $quote }, handled by { $agent }

## Thank-yous after the survey

thanks-offer = Would you like to say thanks to { $agent }? It's posted in the team's channel.
button-say-thanks = Say thanks
thanks-ask = What would you like to tell { $agent }? Type one line, or send it without a note.
button-thanks-send = Send without a note
button-no-thanks = No thanks
thanks-not-yours = Only the person who filed the request can say thanks for it.
thanks-already = You already thanked { $agent } for { $id }.
thanks-declined = All right, nothing was posted.
thanks-posted = Your thanks to { $agent } is posted in the team's channel. 🙏
thanks-post = 🙏 { $from } says thanks to { $agent } for { $id }
thanks-note = “{ $text }”
digest-thanks = Thank-yous: { $count }
## Requests filed from a channel message (a ticket reaction, a help channel)

# Answered in the thread of the message that was filed.
capture-filed = I filed this as request { $id } for { $team }. They aim to respond within { $sla }. Their answers come here in this thread; reply here to add details.
# Asked when neither the help channel nor the message's words name a team.
capture-ask-department = Which team should this request go to?
# A required question of the department, asked in the thread of the filed message.
capture-ask-field = One more thing for the team: { $prompt } (reply here)
capture-fields-done = Thanks, that's everything { $id } needs. Reply here any time to add details.
capture-field-not-yours = Only the person who asked for { $id } can answer its questions.
## The web dashboard (/dashboard)

dashboard-title = frontdesk dashboard
dashboard-overview = Overview
dashboard-sign-in = Sign in
dashboard-sign-in-lead = Sign in to see how the departments are doing.
dashboard-sign-out = Sign out
dashboard-sign-in-slack = Sign in with Slack
dashboard-slack-off = Sign in with Slack is not set up.
dashboard-slack-failed = Signing in with Slack did not work. Start again from the sign-in page.
dashboard-slack-refused = Only the departments' agents can sign in with Slack.
dashboard-signed-in = You are signed in
dashboard-continue = Continue to the dashboard
dashboard-password = Password
dashboard-wrong-password = That password is wrong.
dashboard-throttled = Too many failed sign-ins. Wait a minute, then try again.
dashboard-off = The dashboard is off: set FRONTDESK_DASHBOARD_PASSWORD to turn it on.
dashboard-no-such-department = There is no such department.
dashboard-no-such-request = There is no such request.
dashboard-bad-period = That period is not valid: write dates like 2026-03-01, the first not after the second.
dashboard-store-failed = The store could not be read. Try again in a minute.
dashboard-department = Department
dashboard-departments = Departments
dashboard-open = Open
dashboard-overdue = Overdue now
dashboard-overdue-badge = overdue
dashboard-first-response = First response
dashboard-resolution = Resolution
dashboard-this-week = this week
dashboard-no-target = no target
dashboard-no-figure = –
dashboard-average-rating = Average rating
dashboard-volume = Requests filed
dashboard-attainment-chart = Service levels met per week, the last 12 weeks and this one
dashboard-volume-chart = Requests filed and their average rating per week
dashboard-distribution-chart = Time to first response and to resolution, the last 12 weeks and this one
dashboard-queue = Queue
dashboard-request = Request
dashboard-summary = Summary
dashboard-status = Status
dashboard-age = Age
dashboard-assignee = Assignee
dashboard-unassigned = unassigned
dashboard-nothing-waiting = Nothing is waiting.
dashboard-longest-waiting = Only the 100 that come first are listed.
dashboard-nothing-overdue = Nothing is overdue.
dashboard-comments = Recent survey comments
dashboard-no-comments = No comments yet.
dashboard-busiest = Busiest fields and keywords
dashboard-field = Field
dashboard-answer = Answer
dashboard-count = Requests
dashboard-keyword = Keyword
dashboard-nothing-yet = Nothing yet.
dashboard-export = Export
dashboard-since = From
dashboard-until = To
dashboard-download = Download CSV
dashboard-timeline = Timeline
dashboard-details = Details
dashboard-requester = Requester
dashboard-filed = Filed
dashboard-closed = Closed
dashboard-priority = Priority
dashboard-rating = Rating
dashboard-comment = Comment
dashboard-when = When
dashboard-who = Who
dashboard-what = What
dashboard-the-desk = frontdesk
dashboard-event-content-removed = its content was removed (retention)
dashboard-event-assigned = assigned it
dashboard-event-unassigned = gave it back to the queue
dashboard-event-waiting = set it to wait on the requester
dashboard-event-resumed = answered; it resumed
dashboard-event-nudged = reminded the requester
dashboard-event-resolution-reminded = resolution reminder
dashboard-event-escalated = escalated
dashboard-event-thanked = thanked the agent
dashboard-event-created = opened the request
dashboard-event-claimed = claimed it
dashboard-event-agent-replied = replied
dashboard-event-requester-replied = wrote
dashboard-event-closed = closed it
dashboard-event-reopened = reopened it
dashboard-event-cancelled = cancelled it
dashboard-event-rated = rated it
dashboard-event-commented = commented
dashboard-event-reminded = sent a service-level reminder
dashboard-event-survey-reminded = reminded the requester about the survey
