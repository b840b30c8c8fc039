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
reopen-not-closed = { $id } ist { $status }, nicht geschlossen.
reopen-not-allowed = Nur die Mitglieder des Teams oder die anfragende Person können { $id } wieder öffnen.
reopened-by = { $id } wurde wieder geöffnet von { $who }.
reminder = ⏰ { $id } wartet seit { $waited } auf eine Antwort (Service-Level: { $sla }).
reminder-escalated = { $user } ⏰ { $id } wartet seit { $waited } auf eine Antwort (Service-Level: { $sla }).

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
card-description = Beschreibung
card-skipped = übersprungen
card-hint = Antworten Sie in diesem Thread, um der anfragenden Person zu schreiben; beginnen Sie mit { $prefix }, damit eine Notiz intern bleibt.
card-hint-close = Reagieren Sie mit { $reaction }, um zu schließen.
card-fallback = { $id }: { $summary } ({ $status }, Priorität { $priority }) von { $requester }
card-fallback-assigned = { $id }: { $summary } ({ $status }, Priorität { $priority }) von { $requester }, bei { $assignee }
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
