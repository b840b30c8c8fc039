# frontdesk auf Deutsch.
#
# Hat jede Nachricht des englischen Katalogs (locales/en/frontdesk.ftl) mit denselben
# Variablen; ein Test prüft das. Schlüsselwörter, die Nutzer tippen (back, skip, cancel,
# status), bleiben englisch: der Empfang versteht nur diese.

## Bausteine

plain = { $text }
list-and = { $init } und { $last }
you = Ihnen
this-team = diesem Team
duration-days = { $n } Tg.
duration-hours = { $n } Std.
duration-minutes = { $n } Min.
duration-seconds = { $n } Sek.
command-what-you-need = was Sie brauchen
status-open = offen
status-claimed = in Bearbeitung
status-closed = geschlossen
status-cancelled = storniert

## Schaltflächen

button-new-request = Neue Anfrage
button-yes-team = Ja, { $team }
button-other-team = Nein, ein anderes Team
button-back = Zurück
button-skip = Überspringen
button-cancel = Abbrechen
button-submit = Absenden
button-claim = Übernehmen
button-close = Schließen
button-reopen = Wieder öffnen
rating-1 = 1 · schlecht
rating-2 = 2
rating-3 = 3
rating-4 = 4
rating-5 = 5 · sehr gut
choice-request = { $id }: { $summary }

## Hilfe

help-intro = Ich bin der Empfang für Anfragen an { $teams }.
help-intro-any = Ich bin der Empfang für Ihre Anfragen.
help-start = • { $command } (oder eine Nachricht an mich) startet eine Anfrage; ich stelle ein paar Fragen.
help-status = • { $command } zeigt Ihre offenen Anfragen.
help-cancel = • { $command } storniert eine Ihrer Anfragen.
help-answering = • Beim Antworten: { $back } geht zur vorigen Frage, { $skip } überspringt eine optionale, { $cancel } bricht ab.
help-reply = Sobald eine Anfrage eingegangen ist, antworten Sie mir einfach hier, und ich leite Ihre Nachricht an das Team weiter.
no-draft = Dieses Gespräch ist beendet. Starten Sie eine neue Anfrage, wann immer Sie uns brauchen.

## Befehle und Direktnachrichten

intake-started-dm = Ich habe Ihnen eine Direktnachricht geschickt, um die Details aufzunehmen.
cancel-bad-id = { $id } ist keine Anfragenummer. Verwenden Sie { $cancel }; { $status } zeigt Ihre Anfragen.
cancel-which = Welche Anfrage? Verwenden Sie { $cancel }; { $status } zeigt Ihre Anfragen.
pending-dropped = In Ordnung, ich leite diese Nachricht nicht weiter.
nothing-to-cancel = Es wird gerade keine Anfrage geschrieben, die storniert werden könnte. Um eine gesendete Anfrage zu stornieren, tippen Sie { $cancel }; { $status } zeigt Ihre Anfragen.
which-not-yours = { $id } ist keine Ihrer offenen Anfragen. Für welche ist Ihre Nachricht?
which-several = Sie haben mehrere offene Anfragen. Für welche ist diese Nachricht?
request-unknown = Ich finde die Anfrage { $id } nicht.
reply-to-not-yours = Nur die Person, die { $id } gestellt hat, kann hier an das Team schreiben.
reply-to-ask = Schreiben Sie Ihre Nachricht, und ich leite sie an die Bearbeiter von { $id } weiter.
status-none = Sie haben keine offenen Anfragen.
status-header = Ihre offenen Anfragen:
status-line = • { $id } { $summary } — { $status } ({ $who })
status-with = bei { $user }
status-waiting = wartet darauf, übernommen zu werden

## Aufnahme

intake-restarted = Eine neue Anfrage beginnt (die bisher geschriebene wird verworfen).
draft-expired = Die Anfrage, die Sie geschrieben haben, ist nach { $after } ohne Antwort abgelaufen; ich habe sie verworfen. Tippen Sie { $command } (oder schreiben Sie mir { $new }), um neu zu beginnen.
draft-expired-restart = Die Anfrage, die Sie geschrieben haben, ist nach { $after } ohne Antwort abgelaufen; ich habe sie verworfen. Fangen wir neu an.
draft-cancelled = Abgebrochen; es wurde nichts gesendet. Beginnen Sie neu, wann immer Sie uns brauchen.
ask-department = Welches Team kann helfen? Wählen Sie eines, oder tippen Sie seinen Namen oder seine Nummer.
ask-confirm-department = Das klingt nach einer Anfrage für { $team }. Stimmt das?
ask-describe = Was brauchen Sie, in ein oder zwei Sätzen?
ask-optional = { $prompt } (optional)
ask-field-gone = Die Fragen dieses Teams haben sich geändert; bitte tippen Sie { $back }.
summary-header = Bitte prüfen Sie Ihre Anfrage an { $team }:
summary-need = • Was Sie brauchen: { $summary }
summary-answer = • { $prompt } { $answer }
summary-no-answer = —
summary-submit = Absenden?
hint-help = Beantworten Sie die Frage unten; { $back } geht zur vorigen Frage, { $skip } überspringt eine optionale, { $cancel } bricht ab.
hint-department = Das habe ich nicht verstanden: antworten Sie mit einer Zahl von 1 bis { $count } oder dem Namen eines Teams.
hint-yes-no = Bitte antworten Sie mit yes oder no (oder tippen Sie den Namen des Teams).
hint-confirm = Antworten Sie { $submit } zum Absenden, { $back } um eine Antwort zu ändern, oder { $cancel } zum Verwerfen.
hint-stale-button = Diese Schaltfläche gehört zu einer früheren Frage.
hint-team-gone = Dieses Team gibt es nicht mehr; bitte wählen Sie ein anderes.
hint-cannot-skip = Diese Frage kann nicht übersprungen werden.
hint-pick-option = Bitte wählen Sie eines von: { $options } (oder seine Nummer).
hint-type-answer = Bitte tippen Sie eine Antwort.
hint-required-missing = Eine Pflichtfrage ist noch unbeantwortet.
submitted = Danke! Ihre Anfrage { $id } liegt bei { $team }. Das Team möchte innerhalb von { $sla } antworten; Sie hören genau hier von ihm. Antworten Sie hier jederzeit, um Details zu ergänzen.

## Der Weg einer Anfrage

cancel-unknown = Ich finde die Anfrage { $id } nicht. { $status } zeigt Ihre Anfragen.
cancel-not-yours = Nur die Person, die { $id } gestellt hat, kann sie stornieren.
request-already = { $id } ist bereits { $status }.
cancelled = { $id } ist storniert. Das Team wurde informiert.
thread-cancelled = { $user } hat diese Anfrage storniert.
thread-requester-wrote = { $user } (Anfragende Person) schrieb:
relayed-to-team = An das Team weitergeleitet, das { $id } bearbeitet.
agent-wrote = { $user } zu { $id }:
claim-not-agent = Nur Mitglieder von { $team } können { $id } übernehmen.
claim-already-yours = Sie haben { $id } bereits.
claim-taken = { $id } wurde bereits von { $user } übernommen.
claim-closed = { $id } ist { $status }; öffnen Sie die Anfrage zuerst wieder.
claimed = { $user } arbeitet jetzt an { $id }.
close-not-allowed = Nur die Mitglieder des Teams oder die anfragende Person können { $id } schließen.
closed-by = { $id } wurde geschlossen von { $who }.
survey-sent-by-dm = Eine kurze Umfrage dazu habe ich Ihnen als Direktnachricht geschickt.
reopen-not-closed = { $id } ist { $status }, nicht geschlossen.
reopen-not-allowed = Nur die Mitglieder des Teams oder die anfragende Person können { $id } wieder öffnen.
reopened-by = { $id } wurde wieder geöffnet von { $who }.
reminder = ⏰ { $id } wartet seit { $waited } auf eine Antwort (Service-Level: { $sla }).
reminder-escalated = { $user } ⏰ { $id } wartet seit { $waited } auf eine Antwort (Service-Level: { $sla }).

## Service-Level nach Geschäftszeiten

first-response-by = Eine erste Antwort erhalten Sie bis { $when }.
local-time = { $day } { $time }
local-date-time = { $day } { $date } { $time }
local-time-zone = { $when } ({ $zone })
weekday-mon = Montag
weekday-tue = Dienstag
weekday-wed = Mittwoch
weekday-thu = Donnerstag
weekday-fri = Freitag
weekday-sat = Samstag
weekday-sun = Sonntag
resolution-reminder = ⏰ { $id } ist nach { $used } Geschäftszeit noch nicht gelöst (Service-Level für die Lösung: { $sla }); { $who }.
resolution-nobody = niemand hat die Anfrage übernommen
escalation-thread = { $who } { $what }
escalation-unanswered = 🚨 Eskalation { $step }: { $id } ist seit { $waited } Geschäftszeit ohne Antwort.
escalation-unresolved = 🚨 Eskalation { $step }: { $id } ist nach { $waited } Geschäftszeit noch nicht gelöst.
escalation-channel = { $what } „{ $summary }“: { $card }
escalation-channel-hidden = { $what }: { $card }

## Umfrage

survey-ask = Wie zufrieden waren Sie mit der Bearbeitung von { $id }? Bewerten Sie von 1 (schlecht) bis 5 (sehr gut).
survey-reminder = Eine kurze Erinnerung: Wie zufrieden waren Sie mit { $id }? Ein Klick genügt.
survey-rated = Danke für Ihre Bewertung von { $id } mit { $rating }/5! Möchten Sie noch etwas ergänzen? Tippen Sie einen Kommentar, oder überspringen Sie.
survey-thanks = Vielen Dank für Ihre Rückmeldung!
survey-answered = Danke, Sie haben { $id } mit { $rating }/5 bewertet.
survey-withdrawn = Die Umfrage dazu ist zurückgezogen; Sie brauchen sie nicht mehr zu beantworten.
rate-not-yours = Nur die anfragende Person kann eine Anfrage bewerten.
rate-not-closed = { $id } ist noch nicht geschlossen, es gibt also nichts zu bewerten.
rate-no-survey = Für { $id } gibt es keine Umfrage, es gibt also nichts zu bewerten.
rate-withdrawn = Die Umfrage zu { $id } wurde zurückgezogen, als die Anfrage wieder geöffnet wurde; es gibt also nichts zu bewerten.
rate-already = Ihre Bewertung für { $id } ist bereits gespeichert. Danke!

## Anfragekarten und die Slack-Startseite

card-requester = Anfragende Person
card-department = Team
card-priority = Priorität
card-status = Status
card-assignee = Zuständig
card-created = Erstellt
card-origin = Erfasst aus
card-origin-link = der Nachricht
card-filed-by = Erfasst von
card-description = Beschreibung
card-skipped = übersprungen
card-hint = Antworten Sie in diesem Thread, um der anfragenden Person zu schreiben; beginnen Sie mit { $prefix }, damit eine Notiz intern bleibt.
card-hint-close = Reagieren Sie mit { $reaction }, um zu schließen.
card-fallback = { $id }: { $summary } ({ $status }, Priorität { $priority }) von { $requester }
card-fallback-assigned = { $id }: { $summary } ({ $status }, Priorität { $priority }) von { $requester }, bei { $assignee }
card-fallback-confidential = { $id } ({ $status }): eine vertrauliche Anfrage
status-title-open = Offen
status-title-claimed = In Bearbeitung
status-title-closed = Geschlossen
status-title-cancelled = Storniert
priority-low = niedrig
priority-normal = normal
priority-high = hoch
priority-urgent = dringend
home-title = Ihre Hilfe-Anfragen
home-intro = Brauchen Sie etwas? Starten Sie hier eine Anfrage, oder tippen Sie { $command } in einem beliebigen Kanal.
home-line = { $id } { $summary }
home-line-status = { $status } · eröffnet { $date }
home-line-status-assigned = { $status } · bei { $user } · eröffnet { $date }
home-open = Offen
home-open-count = Offen ({ $count })
home-nothing-open = Gerade ist nichts offen.
home-recent = Kürzlich geschlossen

## Antworten der Plattform-Anbindungen

command-failed = Entschuldigung, bei uns ist etwas schiefgegangen, und Ihre Anfrage wurde nicht gespeichert. Bitte versuchen Sie es in einer Minute noch einmal.
channel-pointer = Ich poste Hilfe-Anfragen in diesem Kanal und leite Antworten unter der Karte einer Anfrage an die anfragende Person weiter. Mit den Schaltflächen einer Karte übernehmen oder schließen Sie sie. Um selbst Hilfe anzufordern, öffnen Sie einen Chat mit mir und tippen Sie { $help }.

## Vertrauliche Abteilungen und ausdrückliche Antworten

button-view-details = Details ansehen
button-reply-requester = Der anfragenden Person antworten
thread-requester-wrote-hidden = Die anfragende Person hat dem Team geschrieben. Mit „Details ansehen“ lesen.
thread-cancelled-hidden = Die anfragende Person hat diese Anfrage zurückgezogen.
thread-sent-to-requester = ✉️ Von { $user } an die anfragende Person gesendet:
thread-sent-to-requester-hidden = ✉️ { $user } hat der anfragenden Person geantwortet.
details-title = { $id }: die Details, nur für dich
details-answer = { $prompt }: { $value }
details-message = { $user }: { $text }
details-close = Schließen
details-not-agent = Nur das Team kann die Details von { $id } sehen.
reply-not-agent = Nur das Team kann der anfragenden Person von { $id } schreiben.
reply-how = Um der anfragenden Person von { $id } zu schreiben, sende { $example }. Nur was du so sendest, erreicht sie; der Thread bleibt im Team.
reply-usage = Schreib es als { $example }: die Nummer der Anfrage, dann deine Nachricht.
reply-sent = An die anfragende Person von { $id } gesendet.
reply-modal-label = Deine Nachricht an die anfragende Person von { $id }. Nur sie erreicht sie.
reply-modal-send = Senden
## Getippte Wörter

# Was man statt eines Befehls oder einer Ja/Nein-Antwort als eigene Nachricht tippen kann,
# durch Kommas getrennt. Groß- und Kleinschreibung und Satzzeichen zählen nicht; die
# englischen Wörter gelten immer auch.
typed-help = hilfe
typed-status = status, meine anfragen
typed-cancel = abbrechen, abbruch, stopp
typed-queue = warteschlange, meine warteschlange
typed-back = zurück
typed-skip = überspringen
typed-yes = ja, j, jawohl, genau, richtig, stimmt, ok, okay
typed-no = nein, falsch

## Die Konsole

console-card = { $department } · von { $requester } · Priorität { $priority } · Status { $status }
console-card-assignee = bei { $assignee }

## Zuweisung, Warten auf die anfragende Person und die Warteschlange

status-on-requester = wartet auf die anfragende Person
status-title-waiting = Wartet auf Antwort
button-wait = Auf Antwort warten
button-take-over = Übernehmen von
button-reassign = Neu zuweisen…
button-unassign = Zuweisung aufheben
button-assign-to = { $user } zuweisen
assigned-requester = { $user } kümmert sich jetzt um deine Anfrage { $id }.
assigned-to-you = { $id } liegt jetzt bei dir.
assigned-away = { $id } liegt jetzt bei { $user }.
assign-not-agent = Nur das Team kann { $id } weitergeben.
assign-not-an-agent = Diese Person gehört nicht zum Team, daher bleibt { $id }, wo es ist.
assign-already = { $id } liegt bereits bei { $user }.
unassign-nobody = { $id } ist noch niemandem zugewiesen.
unassigned-requester = { $id } ist zurück in der Warteschlange des Teams; die nächste freie Person übernimmt.
reassign-who = Wer soll { $id } übernehmen?
reassign-nobody = Es gibt niemanden sonst für { $id }: das Team nennt keine weiteren Mitglieder.
wait-not-agent = Nur das Team kann { $id } auf die anfragende Person warten lassen.
wait-already = { $id } wartet bereits auf die anfragende Person.
wait-set = { $id } wartet jetzt auf die anfragende Person; ihre Antwort setzt es fort.
wait-usage = Schreib es als { $example }: die Nummer der Anfrage, dann was du brauchst.
waiting-requester = { $user } braucht etwas von dir für { $id }:
waiting-reply-here = Antworte hier, um fortzufahren.
thread-waiting = ⏸️ { $user } lässt diese Anfrage auf die anfragende Person warten.
waiting-nudge = Das Team wartet noch auf deine Antwort zu { $id }. Ohne Antwort wird sie in { $left } geschlossen.
thread-closed-no-reply = Geschlossen: keine Antwort der anfragenden Person in { $waited }.
closed-no-reply = { $id } wurde geschlossen, weil wir in { $waited } nichts gehört haben. Du kannst jederzeit eine neue Anfrage stellen.
queue-title = Deine Warteschlange:
queue-empty = Deine Warteschlange ist leer: in deinen Abteilungen ist nichts offen.
queue-overdue = Überfällig ({ $count }):
queue-due-soon = Bald fällig ({ $count }):
queue-unassigned = Nicht zugewiesen ({ $count }):
queue-mine = Meine ({ $count }):
queue-line = { $id } · { $status } · { $assignee } · vor { $age } gestellt · noch { $left }
queue-line-overdue = { $id } · { $status } · { $assignee } · vor { $age } gestellt · seit { $over } überfällig
queue-line-no-clock = { $id } · { $status } · { $assignee } · vor { $age } gestellt
queue-nobody = niemand
queue-not-agent = Die Warteschlange ist für das Team, und du gehörst zu keiner Abteilung.
queue-no-department = Du gehörst zu keiner Abteilung namens { $department }.

## Das Anfrageformular

button-fill-form = Formular ausfüllen
form-title = Neue Anfrage
form-department = Welches Team kann helfen?
form-department-placeholder = Team wählen
form-requester = Für wen ist sie?
form-summary = Was brauchst du?
form-pick-department = Wähle das Team, das helfen kann.
form-say-what = Sag in ein paar Worten, was du brauchst.
form-required = Diese Angabe wird gebraucht.
form-filed-for = { $id } für { $user } gestellt; das Team meldet sich direkt.
form-unavailable = Das Formular öffnet sich über seinen Knopf in Slack. Du kannst auch einfach hier weiter antworten.
# The request form on Teams: the "Create request" message extension and the form card in the
# personal chat.
# What typed alone opens the form in the personal chat.
teams-form-word = formular
teams-form-next = Weiter
teams-form-field-error = { $field }: { $problem }
teams-form-filed = { $id } ist bei { $team } eingereicht.
teams-form-author-unknown = { $name } hat dem Desk noch nie geschrieben; deshalb läuft die Anfrage auf deinen Namen und Neuigkeiten gehen an dich.
teams-form-asked-by = Gefragt von { $name } in Teams.
teams-form-done = Als { $id } gesendet. Die Bestätigung folgt in diesem Chat.
teams-form-already = Das wurde schon gesendet.
teams-form-already-as = Das wurde schon gesendet, als { $id }.
## Der Wochenbericht im Kanal einer Abteilung

digest-heading = 📊 { $department }: Wochenbericht { $week } ({ $from } bis { $to })
digest-quiet = Diese Woche gab es keine Anfragen.
digest-resolved = Gelöst: { $resolved } (eingegangen: { $filed })
digest-first-response-met = Erste Antwort: Median { $median }, Ziel { $target } (erreicht, { $count } beantwortet)
digest-first-response-missed = Erste Antwort: Median { $median }, Ziel { $target } (verfehlt, { $count } beantwortet)
digest-first-response-none = Erste Antwort: keine in dieser Woche, Ziel { $target }
digest-rating = Bewertung: { $average } im Schnitt aus { $count } Bewertungen
digest-rating-none = Bewertung: keine Bewertungen in dieser Woche
digest-said = Das sagten die Leute:
digest-comment = „{ $text }“ ({ $rating }/5, { $id })
digest-comment-by = { $quote }, bearbeitet von { $agent }

## Danke nach der Umfrage

thanks-offer = Möchten Sie sich bei { $agent } bedanken? Der Dank erscheint im Kanal des Teams.
button-say-thanks = Danke sagen
thanks-ask = Was möchten Sie { $agent } sagen? Schreiben Sie eine Zeile, oder senden Sie den Dank ohne Notiz.
button-thanks-send = Ohne Notiz senden
button-no-thanks = Nein danke
thanks-not-yours = Nur wer die Anfrage gestellt hat, kann sich dafür bedanken.
thanks-already = Sie haben sich bei { $agent } schon für { $id } bedankt.
thanks-declined = In Ordnung, es wurde nichts gepostet.
thanks-posted = Ihr Dank an { $agent } steht jetzt im Kanal des Teams. 🙏
thanks-post = 🙏 { $from } dankt { $agent } für { $id }
thanks-note = „{ $text }“
digest-thanks = Danke: { $count }
## Anfragen aus einer Kanalnachricht (eine Ticket-Reaktion, ein Hilfekanal)

capture-filed = Ich habe das als Anfrage { $id } für { $team } erfasst. Das Team möchte innerhalb von { $sla } antworten. Die Antworten kommen hier in diesen Thread; antworten Sie hier, um Details zu ergänzen.
capture-ask-department = An welches Team soll diese Anfrage gehen?
capture-ask-field = Noch etwas für das Team: { $prompt } (antworten Sie hier)
capture-fields-done = Danke, das ist alles, was { $id } braucht. Antworten Sie hier jederzeit, um Details zu ergänzen.
capture-field-not-yours = Nur die Person, die { $id } angefragt hat, kann seine Fragen beantworten.
## The web dashboard (/dashboard)

dashboard-title = frontdesk-Dashboard
dashboard-overview = Übersicht
dashboard-sign-in = Anmelden
dashboard-sign-in-lead = Melden Sie sich an, um zu sehen, wie es den Abteilungen geht.
dashboard-sign-out = Abmelden
dashboard-sign-in-slack = Mit Slack anmelden
dashboard-slack-off = Die Anmeldung mit Slack ist nicht eingerichtet.
dashboard-slack-failed = Die Anmeldung mit Slack hat nicht geklappt. Beginnen Sie noch einmal auf der Anmeldeseite.
dashboard-slack-refused = Nur die Bearbeiter der Abteilungen können sich mit Slack anmelden.
dashboard-signed-in = Sie sind angemeldet
dashboard-continue = Weiter zum Dashboard
dashboard-password = Passwort
dashboard-wrong-password = Das Passwort ist falsch.
dashboard-throttled = Zu viele fehlgeschlagene Anmeldungen. Warten Sie eine Minute und versuchen Sie es dann erneut.
dashboard-off = Das Dashboard ist aus: Setzen Sie FRONTDESK_DASHBOARD_PASSWORD, um es einzuschalten.
dashboard-no-such-department = Diese Abteilung gibt es nicht.
dashboard-no-such-request = Diese Anfrage gibt es nicht.
dashboard-bad-period = Dieser Zeitraum ist ungültig: Schreiben Sie Daten wie 2026-03-01, das erste nicht nach dem zweiten.
dashboard-store-failed = Der Speicher konnte nicht gelesen werden. Versuchen Sie es in einer Minute erneut.
dashboard-department = Abteilung
dashboard-departments = Abteilungen
dashboard-open = Offen
dashboard-overdue = Jetzt überfällig
dashboard-overdue-badge = überfällig
dashboard-first-response = Erste Antwort
dashboard-resolution = Erledigung
dashboard-this-week = diese Woche
dashboard-no-target = kein Ziel
dashboard-no-figure = –
dashboard-average-rating = Durchschnittliche Bewertung
dashboard-volume = Eingegangene Anfragen
dashboard-attainment-chart = Eingehaltene Servicelevel pro Woche, die letzten 12 Wochen und diese
dashboard-volume-chart = Eingegangene Anfragen und ihre durchschnittliche Bewertung pro Woche
dashboard-distribution-chart = Zeit bis zur ersten Antwort und bis zur Erledigung, die letzten 12 Wochen und diese
dashboard-queue = Warteschlange
dashboard-request = Anfrage
dashboard-summary = Zusammenfassung
dashboard-status = Status
dashboard-age = Alter
dashboard-assignee = Zuständig
dashboard-unassigned = niemand
dashboard-nothing-waiting = Nichts wartet.
dashboard-longest-waiting = Nur die ersten 100 sind aufgeführt.
dashboard-nothing-overdue = Nichts ist überfällig.
dashboard-comments = Neueste Umfragekommentare
dashboard-no-comments = Noch keine Kommentare.
dashboard-busiest = Häufigste Felder und Stichwörter
dashboard-field = Feld
dashboard-answer = Antwort
dashboard-count = Anfragen
dashboard-keyword = Stichwort
dashboard-nothing-yet = Noch nichts.
dashboard-export = Export
dashboard-since = Von
dashboard-until = Bis
dashboard-download = CSV herunterladen
dashboard-timeline = Verlauf
dashboard-details = Details
dashboard-requester = Angefragt von
dashboard-filed = Eingegangen
dashboard-closed = Geschlossen
dashboard-priority = Priorität
dashboard-rating = Bewertung
dashboard-comment = Kommentar
dashboard-when = Wann
dashboard-who = Wer
dashboard-what = Was
dashboard-the-desk = frontdesk
dashboard-event-content-removed = Inhalt entfernt (Aufbewahrungsfrist)
dashboard-event-assigned = hat sie zugewiesen
dashboard-event-unassigned = hat sie zurück in die Warteschlange gegeben
dashboard-event-waiting = wartet auf die anfragende Person
dashboard-event-resumed = hat geantwortet; es geht weiter
dashboard-event-nudged = hat die anfragende Person erinnert
dashboard-event-resolution-reminded = Erinnerung zur Lösungszeit
dashboard-event-escalated = eskaliert
dashboard-event-thanked = hat sich beim Team bedankt
dashboard-event-created = hat die Anfrage gestellt
dashboard-event-claimed = hat sie übernommen
dashboard-event-agent-replied = hat geantwortet
dashboard-event-requester-replied = hat geschrieben
dashboard-event-closed = hat sie geschlossen
dashboard-event-reopened = hat sie wieder geöffnet
dashboard-event-cancelled = hat sie abgebrochen
dashboard-event-rated = hat sie bewertet
dashboard-event-commented = hat kommentiert
dashboard-event-reminded = hat an den Servicelevel erinnert
dashboard-event-survey-reminded = hat an die Umfrage erinnert
