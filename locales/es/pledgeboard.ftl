# Mensajes de pledgeboard en español (mismos identificadores y variables que el inglés).

## Títulos de los problemas

problem-title-malformed-request-body = Cuerpo de la solicitud mal formado
problem-title-unsupported-media-type = Tipo de medio no admitido
problem-title-request-body-too-large = Cuerpo de la solicitud demasiado grande
problem-title-request-timeout = Tiempo de espera agotado
problem-title-invalid-query-string = Parámetros de consulta no válidos
problem-title-invalid-path-parameter = Parámetro de ruta no válido
problem-title-validation-failed = Error de validación
problem-title-unprocessable-request = Solicitud no procesable
problem-title-bad-request = Solicitud incorrecta
problem-title-unauthorized = No autenticado
problem-title-invalid-token = Token no válido
problem-title-forbidden = Prohibido
problem-title-not-found = No encontrado
problem-title-method-not-allowed = Método no permitido
problem-title-conflict = Conflicto
problem-title-precondition-failed = Falló la condición previa
problem-title-precondition-required = Se requiere una condición previa
problem-title-too-many-requests = Demasiadas solicitudes
problem-title-service-unavailable = Servicio no disponible
problem-title-internal-server-error = Error interno del servidor

## Detalles de los problemas, por código

problem-malformed_json = El cuerpo de la solicitud no es un JSON válido para esta operación.
problem-unsupported_media_type = El cuerpo de la solicitud debe ser application/json.
problem-payload_too_large = El cuerpo de la solicitud supera el límite de { $limit } bytes.
problem-request_timeout = El cuerpo de la solicitud no llegó a tiempo.
problem-invalid_query = No se pueden leer los parámetros de consulta: uno es desconocido, está repetido o mal formado.
problem-invalid_path = No se puede leer un valor de la dirección.
problem-validation_failed = { $count ->
    [one] Un campo no es válido.
   *[other] { $count } campos no son válidos.
}
problem-bad_request = No se puede leer la solicitud.
problem-unauthorized = Se requiere autenticación.
problem-invalid_credentials = La dirección de correo electrónico o la contraseña son incorrectas.
problem-invalid_token = Este enlace o token no es válido, ya se usó o caducó.
problem-invalid_refresh_token = El token de renovación no es válido, caducó o ya se usó.
problem-forbidden = No puede hacer esto.
problem-not_found = { $resource ->
    [pledge] No se encontró este compromiso.
    [organisation] No se encontró esta organización.
    [track] No se encontró esta línea.
    [user] No se encontró este usuario.
    [member] No se encontró este miembro.
    [invitation] No se encontró esta invitación.
    [report] No se encontró este informe de avance.
    [message] No se encontró este mensaje.
    [amendment] Este compromiso no tiene ninguna modificación.
    [screen_link] No se encontró este enlace de pantalla o fue revocado.
    [import] No se encontró esta importación.
   *[other] No se encontró nada aquí.
}
problem-route_not_found = No hay ningún recurso en esta dirección.
problem-method_not_allowed = Este método no está permitido aquí.
problem-precondition_failed = El recurso cambió desde que lo leyó.
problem-precondition_required = Esta solicitud debe llevar If-Match con la versión que leyó.
problem-rate_limited = { $seconds ->
    [one] Demasiadas solicitudes; vuelva a intentarlo dentro de un segundo.
   *[other] Demasiadas solicitudes; vuelva a intentarlo dentro de { $seconds } segundos.
}
problem-service_unavailable = El servicio no puede responder ahora; vuelva a intentarlo en breve.
problem-storage_unavailable = La base de datos no puede atender esta solicitud ahora; no se cambió nada, vuelva a intentarlo en breve.
problem-internal_error = Se produjo un error inesperado; quedó registrado.
problem-email_taken = Esta dirección de correo electrónico ya tiene una cuenta.
problem-idempotency_in_progress = Todavía se está procesando una solicitud con esta Idempotency-Key.
problem-idempotency_key_reused = Esta Idempotency-Key se usó con otro cuerpo de solicitud.
problem-member_disabled = Una cuenta desactivada no puede ser propietaria de una organización.
problem-not_dead = Solo se puede reintentar un mensaje que no pudo entregarse.
problem-not_published = Esto solo se hace con compromisos publicados (incluidos los inactivos).
problem-own_account = Los administradores no pueden cambiar su propio rol ni desactivarse.
problem-owner_cannot_be_removed = El propietario debe traspasar antes la propiedad a otro miembro.
problem-track_exists = Ya existe una línea con este identificador.
problem-no_organisation = Solo los miembros de una organización registran compromisos.
problem-out_of_scope = Este compromiso está fuera de las líneas que usted modera.
problem-own_organisation = Los compromisos e informes de su propia organización los decide otra persona.
problem-not_allowed = No puede hacer esto con este compromiso.
problem-invalid_transition = Este compromiso no puede dar este paso en su estado actual.
problem-email_not_verified = Confirme su dirección de correo electrónico antes de presentar un compromiso.
problem-organisation_not_verified = Su organización debe estar verificada antes de que se publiquen sus compromisos.
problem-report_not_submitted = Solo se examina un informe de avance presentado.
problem-report_accepted = El informe de este año fue aceptado y es el registro del año.
problem-before_history = No se conocen las cifras anteriores al día en que empezaron a registrarse.
problem-date_in_future = Las cifras se conocen hasta hoy, no después.
problem-range_reversed = El inicio del intervalo es posterior a su final.
problem-range_too_long = El intervalo tiene demasiados puntos; pida un intervalo más corto o puntos mensuales.
problem-year_out_of_range = Los informes anuales se elaboran para los años a partir de 2000.
problem-empty_file = El archivo no contiene filas para importar.
problem-malformed_csv = El archivo no es un CSV que este servicio pueda leer.
problem-publish_needs_admin = Solo los administradores importan compromisos como publicados.
problem-reason_required = Esta decisión requiere un motivo.
problem-not_amendable = Solo se modifican los compromisos publicados (o inactivos).
problem-amendment_open = Este compromiso ya tiene una modificación abierta: edítela o retírela primero.
problem-amendment_not_open = La modificación de este compromiso ya se decidió o se retiró.
problem-amendment_unchanged = La modificación no cambiaría nada del compromiso publicado.

## Correos: lo que comparten todos

email-greeting = Hola:
email-greeting-named = Hola, { $name }:
email-paste-link = O pegue este enlace en su navegador: { $link }
email-footer = Recibió este mensaje de pledgeboard en { $url }.
email-reason = Motivo indicado:
email-file-report = Presente un informe aquí:
email-file-report-action = Presentar un informe de avance

## Correos, uno tras otro

verify-email-subject = Confirme su dirección de correo electrónico para pledgeboard
verify-email-body = Confirme su dirección de correo electrónico para empezar a registrar compromisos:
verify-email-action = Confirmar mi dirección de correo electrónico
verify-email-after = El enlace funciona una sola vez y caduca en { $hours ->
    [one] { $hours } hora.
   *[other] { $hours } horas.
} Si usted no se registró, ignore este mensaje.

password-reset-subject = Restablezca su contraseña de pledgeboard
password-reset-body = Alguien pidió restablecer la contraseña de su cuenta de pledgeboard. Si fue usted, elija una nueva contraseña aquí:
password-reset-action = Elegir una nueva contraseña
password-reset-after = El enlace funciona una sola vez y caduca en { $minutes ->
    [one] { $minutes } minuto.
   *[other] { $minutes } minutos.
} Si no fue usted, ignore este mensaje: su contraseña no cambia.

account-exists-subject = Alguien intentó registrarse con su dirección de correo electrónico
account-exists-body = Alguien intentó crear una nueva cuenta de pledgeboard con esta dirección de correo electrónico, que ya tiene una cuenta. No se cambió nada.
account-exists-body-2 = Si fue usted, inicie sesión; si olvidó su contraseña, restablézcala aquí:
account-exists-action = Restablecer mi contraseña
account-exists-after = Si no fue usted, puede ignorar este mensaje.

password-changed-subject = Se cambió su contraseña de pledgeboard
password-changed-body = Se acaba de cambiar la contraseña de su cuenta de pledgeboard y se cerraron todas las sesiones.
password-changed-body-2 = Si no fue usted, restablezca su contraseña ahora y avise a la secretaría de la coalición:
password-changed-action = Restablecer mi contraseña

invitation-subject = Únase a { $organisation } en pledgeboard
invitation-body = { $inviter } le invita a unirse a { $organisation } en pledgeboard como { $role ->
    [owner] propietario
   *[member] miembro
}, para registrar y seguir sus compromisos.
invitation-body-2 = Acepte la invitación y elija su contraseña aquí:
invitation-action = Aceptar la invitación
invitation-after = La invitación funciona una sola vez y caduca en { $days ->
    [one] { $days } día.
   *[other] { $days } días.
}

pledge-entered-subject = Confirme el compromiso de { $organisation } en pledgeboard
pledge-entered-body = { $inviter }, de la secretaría de la coalición, registró un compromiso en nombre de { $organisation }:
pledge-entered-source = (fuente: { $source })
pledge-entered-body-2 = Se muestra como registrado por la secretaría y aún no confirmado por la organización. Para confirmarlo y hacerse cargo de { $organisation } en pledgeboard como propietario, acepte esta invitación y elija su contraseña:
pledge-entered-action = Confirmar el compromiso

pledge-submitted-subject = Nuevo compromiso por examinar: { $title }
pledge-submitted-body = { $organisation } presentó un compromiso para su examen:
pledge-submitted-tracks = Líneas: { $tracks }
pledge-submitted-body-2 = Examínelo en la cola de moderación:
pledge-submitted-action = Abrir la cola de moderación

pledge-decision-subject = { $decision ->
    [approved] Su compromiso está publicado: { $title }
    [scheduled] Su compromiso está aprobado y se dará a conocer el { $when }: { $title }
    [revealed] Su compromiso ya es público: { $title }
    [changes_requested] Se piden cambios en su compromiso: { $title }
   *[rejected] Su compromiso no fue aceptado: { $title }
}
pledge-decision-body = { $decision ->
    [scheduled] Su compromiso «{ $title }» está aprobado. Hasta el { $when } solo lo ven su organización y el equipo de la coalición; entonces se hace público.
    [revealed] Su compromiso «{ $title }» se hizo público en el momento anunciado.
   *[other] Un moderador decidió sobre su compromiso «{ $title }»: { $decision ->
        [approved] aprobado
        [changes_requested] se piden cambios
       *[rejected] rechazado
    }.
}
pledge-decision-body-2 = Vea el compromiso y su historial aquí:
pledge-decision-action = Ver el compromiso

amendment-proposed-subject = Modificación por examinar: { $title }
amendment-proposed-body = { $organisation } propuso una modificación de su compromiso publicado:
amendment-proposed-fields = Campos modificados: { $fields }
amendment-proposed-after = El compromiso publicado sigue igual hasta que se apruebe la modificación. Examínela aquí:
amendment-proposed-action = Examinar la modificación

amendment-decision-subject = { $decision ->
    [approved] Se aprobó la modificación de su compromiso: { $title }
   *[refused] Se rechazó la modificación de su compromiso: { $title }
}
amendment-decision-body = Un moderador decidió sobre la modificación de su compromiso «{ $title }»: { $decision ->
    [approved] aprobada
   *[refused] rechazada
}.

report-decision-subject = { $decision ->
    [accepted] Su informe de avance { $year } fue aceptado: { $title }
   *[returned] Su informe de avance { $year } fue devuelto: { $title }
}
report-decision-body = Un moderador examinó su informe de avance { $year } sobre el compromiso «{ $title }»: { $decision ->
    [accepted] aceptado
   *[returned] devuelto
}.
report-decision-body-2 = Vea los informes del compromiso aquí:
report-decision-action = Ver los informes

report-due-subject = Informe de avance pendiente: { $title } ({ $year })
report-due-body = El compromiso «{ $title }» de su organización aún no tiene informe de avance para { $year }.
report-due-body-2 = Informar cada año mantiene exactas las cifras de la coalición: cuéntenos cuánto ha avanzado la ejecución, los dólares de los Estados Unidos desembolsados en { $year } y las personas alcanzadas. Preséntelo mediante la API:

second-reminder-subject = Segundo recordatorio: informe de avance { $year } pendiente antes del { $due } ({ $title })
second-reminder-body = El compromiso «{ $title }» de su organización sigue sin informe de avance aceptado para los años anteriores a { $year }. Su informe sobre { $year } vence el { $due }: si ese plazo pasa sin informe, el compromiso se mostrará como inactivo hasta que se acepte un informe.

pledge-inactive-subject = Su compromiso ahora está inactivo: { $title }
pledge-inactive-body = El compromiso «{ $title }» de su organización no ha tenido ningún informe de avance aceptado durante dos años de informe (el último sin informe: { $year }), por lo que ahora se muestra como inactivo. Sigue siendo público, y el próximo informe que acepte un moderador lo volverá a activar.

digest-subject = Pendiente de moderación el { $day }
digest-body = Lo que espera en su ámbito el { $day }:
digest-all-tracks = Todas las líneas
digest-line = { $track }: { $pledges ->
    [one] { $pledges } compromiso en espera de decisión
   *[other] { $pledges } compromisos en espera de decisión
}; { $reports ->
    [one] { $reports } informe de avance en espera de examen
   *[other] { $reports } informes de avance en espera de examen
}; { $amendments ->
    [one] { $amendments } modificación en espera de decisión
   *[other] { $amendments } modificaciones en espera de decisión
}
digest-line-oldest = { $track }: { $pledges ->
    [one] { $pledges } compromiso en espera de decisión
   *[other] { $pledges } compromisos en espera de decisión
}, el más antiguo desde hace { $hours ->
    [one] { $hours } hora
   *[other] { $hours } horas
}; { $reports ->
    [one] { $reports } informe de avance en espera de examen
   *[other] { $reports } informes de avance en espera de examen
}; { $amendments ->
    [one] { $amendments } modificación en espera de decisión
   *[other] { $amendments } modificaciones en espera de decisión
}
digest-body-2 = La cola de moderación:
digest-action = Abrir la cola de moderación

## Páginas de los enlaces enviados por correo

page-verify-title = Confirme su dirección de correo electrónico
page-verify-button = Confirmar mi dirección de correo electrónico
page-verify-done = Su dirección de correo electrónico está confirmada. Ya puede presentar compromisos.
page-reset-title = Restablezca su contraseña
page-reset-choose-title = Elija una nueva contraseña
page-reset-email-label = Dirección de correo electrónico
page-reset-request-button = Enviarme un enlace de restablecimiento
page-reset-sent = Si esta dirección tiene una cuenta, le llegará un enlace de restablecimiento. Es válido durante 30 minutos.
page-reset-password-label = Nueva contraseña
page-reset-button = Guardar mi nueva contraseña
page-reset-done = Su contraseña se cambió y se cerraron todas las sesiones. Inicie sesión con la nueva contraseña.
page-password-hint = Al menos 12 caracteres; unas cuantas palabras sin relación entre sí funcionan bien.
page-accept-title = Únase a su organización en pledgeboard
page-accept-name-label = Su nombre
page-accept-password-label = Elija una contraseña
page-accept-button = Unirme a la organización
page-welcome-title = Le damos la bienvenida a pledgeboard
page-welcome-done = Ahora es { $role ->
    [owner] propietario
   *[member] miembro
} de { $organisation }. Inicie sesión con { $email }.
page-link-invalid = Este enlace no es válido, ya se usó o caducó.

## La pantalla grande (`/live/{track}`): las cifras se formatean con los datos regionales del navegador

screen-all-pledges = Todos los compromisos
screen-page-title = Compromisos en directo · { $track }
screen-staff-figures = cifras internas
screen-connecting = conectando…
screen-live = en directo
screen-reconnecting = reconectando…
screen-commitments = compromisos
screen-pledged = comprometido (USD)
screen-entities = entidades comprometidas
screen-governments = gobiernos
screen-countries = países destinatarios
screen-ldc = compromisos para los países menos adelantados
screen-scan = Escanee para ver los compromisos
screen-latest = Últimos
screen-goal = { $kind ->
    [usd_pledged] Meta: { $target } comprometidos para el { $deadline }
    [pledges] Meta: { $target } compromisos para el { $deadline }
   *[entities] Meta: { $target } entidades comprometidas para el { $deadline }
}
screen-pending = Pendientes: { $pledges } en espera de decisión, { $usd }; { $scheduled } por revelar
screen-goal-reached = ¡Meta alcanzada!
screen-milestone-usd = ¡{ $amount } comprometidos!
screen-milestone-pledges = ¡{ $count } compromisos!
screen-updated = actualizado a las { $time }

## Vocabularios: áreas prioritarias y pilares, tipos de organización, tipos de compromiso, estados, semáforos

focus-area-access = Acceso
focus-area-access-tagline = Conectar a las personas en todas partes
focus-area-adoption = Adopción
focus-area-adoption-tagline = Empoderar a las comunidades
focus-area-value_creation = Creación de valor
focus-area-value_creation-tagline = Construir ecosistemas digitales
focus-area-accelerate = Aceleración
focus-area-accelerate-tagline = Incentivar las inversiones
pillar-infrastructure = Conectividad e infraestructura digital
pillar-affordability = Asequibilidad
pillar-cybersecurity = Ciberseguridad
pillar-skills = Competencias
pillar-digital_inclusion = Inclusión digital
pillar-relevant_local_content_and_services = Contenidos y servicios pertinentes / locales
pillar-digital_innovation_and_entrepreneurship = Innovación digital y emprendimiento
pillar-innovative_financing = Financiación innovadora
pillar-project_viability = Viabilidad de los proyectos
pillar-investor_constellation = Red de inversores
organisation-kind-government = Gobierno
organisation-kind-private_sector = Sector privado
organisation-kind-civil_society = Sociedad civil
organisation-kind-academia = Mundo académico
organisation-kind-international_organisation = Organización internacional
organisation-kind-un_entity = Entidad de las Naciones Unidas
organisation-kind-other = Otro
pledge-type-financial = Financiero
pledge-type-policy = Normativo
pledge-type-programmatic = Programático
pledge-type-advocacy = Promoción
status-draft = Borrador
status-submitted = Presentado
status-changes_requested = Cambios solicitados
status-published = Publicado
status-rejected = Rechazado
status-withdrawn = Retirado
status-completed = Cumplido
status-inactive = Inactivo
status-scheduled = Programado
light-on_track = En buen camino
light-at_risk = En riesgo
light-off_track = Con retraso
light-completed = Cumplido
light-no_report = Sin informe
