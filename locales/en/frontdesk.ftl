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
reopen-not-closed = { $id } is { $status }, not closed.
reopen-not-allowed = Only the team's agents or the requester can reopen { $id }.
reopened-by = { $id } was reopened by { $who }.
reminder = ⏰ { $id } has waited { $waited } without a response (service level: { $sla }).
reminder-escalated = { $user } ⏰ { $id } has waited { $waited } without a response (service level: { $sla }).

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
card-skipped = skipped
card-hint = Reply in this thread to write to the requester; start with { $prefix } to keep a note internal.
card-hint-close = React with { $reaction } to close.
card-fallback = { $id }: { $summary } ({ $status }, { $priority } priority) from { $requester }
card-fallback-assigned = { $id }: { $summary } ({ $status }, { $priority } priority) from { $requester }, with { $assignee }
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
