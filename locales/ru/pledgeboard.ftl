# Сообщения pledgeboard на русском языке (те же идентификаторы и переменные, что и в английском).

## Заголовки проблем

problem-title-malformed-request-body = Некорректное тело запроса
problem-title-unsupported-media-type = Неподдерживаемый тип данных
problem-title-request-body-too-large = Слишком большое тело запроса
problem-title-request-timeout = Истекло время ожидания запроса
problem-title-invalid-query-string = Недопустимые параметры запроса
problem-title-invalid-path-parameter = Недопустимый параметр адреса
problem-title-validation-failed = Ошибка проверки данных
problem-title-unprocessable-request = Запрос не может быть обработан
problem-title-bad-request = Неверный запрос
problem-title-unauthorized = Требуется вход
problem-title-invalid-token = Недействительный токен
problem-title-forbidden = Доступ запрещён
problem-title-not-found = Не найдено
problem-title-method-not-allowed = Метод не разрешён
problem-title-conflict = Конфликт
problem-title-precondition-failed = Предусловие не выполнено
problem-title-precondition-required = Требуется предусловие
problem-title-too-many-requests = Слишком много запросов
problem-title-service-unavailable = Сервис недоступен
problem-title-internal-server-error = Внутренняя ошибка сервера

## Подробности проблем, по кодам

problem-malformed_json = Тело запроса не является допустимым JSON для этой операции.
problem-unsupported_media_type = Тело запроса должно быть в формате application/json.
problem-payload_too_large = Тело запроса превышает предел в { $limit } байт.
problem-request_timeout = Тело запроса не поступило вовремя.
problem-invalid_query = Не удаётся прочитать параметры запроса: параметр неизвестен, повторён или искажён.
problem-invalid_path = Не удаётся прочитать значение в адресе.
problem-validation_failed = { $count ->
    [one] { $count } поле заполнено неверно.
    [few] { $count } поля заполнены неверно.
   *[other] { $count } полей заполнены неверно.
}
problem-bad_request = Не удаётся прочитать запрос.
problem-unauthorized = Требуется аутентификация.
problem-invalid_credentials = Неверный адрес электронной почты или пароль.
problem-invalid_token = Эта ссылка или токен недействительны, уже использованы или просрочены.
problem-invalid_refresh_token = Токен обновления недействителен, просрочен или уже использован.
problem-forbidden = Вам нельзя это делать.
problem-not_found = { $resource ->
    [pledge] Это обязательство не найдено.
    [organisation] Эта организация не найдена.
    [track] Это направление не найдено.
    [user] Этот пользователь не найден.
    [member] Этот участник не найден.
    [invitation] Это приглашение не найдено.
    [report] Этот отчёт о ходе выполнения не найден.
    [message] Это сообщение не найдено.
    [amendment] У этого обязательства нет изменения.
    [screen_link] Эта ссылка на экран не найдена или отозвана.
    [import] Этот импорт не найден.
   *[other] Здесь ничего не найдено.
}
problem-route_not_found = По этому адресу нет ресурса.
problem-method_not_allowed = Этот метод здесь не разрешён.
problem-precondition_failed = Ресурс изменился с тех пор, как вы его прочитали.
problem-precondition_required = Этот запрос должен содержать If-Match с прочитанной вами версией.
problem-rate_limited = { $seconds ->
    [one] Слишком много запросов; повторите через { $seconds } секунду.
    [few] Слишком много запросов; повторите через { $seconds } секунды.
   *[other] Слишком много запросов; повторите через { $seconds } секунд.
}
problem-service_unavailable = Сервис сейчас не может ответить; повторите попытку чуть позже.
problem-storage_unavailable = База данных сейчас не может принять этот запрос; ничего не изменено, повторите попытку чуть позже.
problem-internal_error = Произошла непредвиденная ошибка; она записана в журнал.
problem-email_taken = Для этого адреса электронной почты уже есть учётная запись.
problem-idempotency_in_progress = Запрос с этим Idempotency-Key ещё обрабатывается.
problem-idempotency_key_reused = Этот Idempotency-Key уже использовался с другим телом запроса.
problem-member_disabled = Отключённая учётная запись не может владеть организацией.
problem-not_dead = Повторно отправить можно только сообщение, которое не удалось доставить.
problem-not_published = Это делается только с опубликованными обязательствами (включая неактивные).
problem-own_account = Администраторы не могут менять свою роль или отключать себя.
problem-owner_cannot_be_removed = Сначала владелец должен передать права владения другому участнику.
problem-track_exists = Направление с таким идентификатором уже существует.
problem-no_organisation = Регистрировать обязательства могут только члены организации.
problem-out_of_scope = Это обязательство не относится к направлениям, которые вы модерируете.
problem-own_organisation = Обязательства и отчёты вашей собственной организации рассматривает кто-то другой.
problem-not_allowed = Вам нельзя делать это с этим обязательством.
problem-invalid_transition = Это обязательство не может сделать этот шаг в текущем статусе.
problem-email_not_verified = Подтвердите адрес электронной почты, прежде чем подавать обязательство.
problem-organisation_not_verified = Ваша организация должна пройти проверку, прежде чем её обязательства будут опубликованы.
problem-report_not_submitted = Рассматривается только поданный отчёт о ходе выполнения.
problem-report_accepted = Отчёт за этот год принят и служит записью за год.
problem-before_history = Показатели до дня, когда их начали записывать, неизвестны.
problem-date_in_future = Показатели известны до сегодняшнего дня, не позже.
problem-range_reversed = Начало периода позже его конца.
problem-range_too_long = В периоде слишком много точек; запросите более короткий период или помесячные точки.
problem-year_out_of_range = Годовые сводки составляются за годы начиная с 2000.
problem-empty_file = В файле нет строк для импорта.
problem-malformed_csv = Файл не является CSV, который может прочитать этот сервис.
problem-publish_needs_admin = Импортировать обязательства как опубликованные могут только администраторы.
problem-reason_required = Для этого решения нужно указать причину.
problem-not_amendable = Изменять можно только опубликованные (или неактивные) обязательства.
problem-amendment_open = У этого обязательства уже есть открытое изменение: сначала отредактируйте или отзовите его.
problem-amendment_not_open = По изменению этого обязательства уже принято решение, или оно отозвано.
problem-amendment_unchanged = Изменение ничего не поменяло бы в опубликованном обязательстве.

## Письма: общие элементы

email-greeting = Здравствуйте!
email-greeting-named = Здравствуйте, { $name }!
email-paste-link = Или вставьте эту ссылку в браузер: { $link }
email-footer = Вы получили это сообщение от pledgeboard по адресу { $url }.
email-reason = Указанная причина:
email-file-report = Подайте отчёт здесь:
email-file-report-action = Подать отчёт о ходе выполнения

## Письма, по одному

verify-email-subject = Подтвердите адрес электронной почты для pledgeboard
verify-email-body = Подтвердите адрес электронной почты, чтобы начать регистрировать обязательства:
verify-email-action = Подтвердить мой адрес
verify-email-after = Ссылка действует один раз и истекает через { $hours ->
    [one] { $hours } час.
    [few] { $hours } часа.
   *[other] { $hours } часов.
} Если вы не регистрировались, не обращайте внимания на это письмо.

password-reset-subject = Сброс пароля pledgeboard
password-reset-body = Кто-то запросил сброс пароля вашей учётной записи pledgeboard. Если это были вы, выберите новый пароль здесь:
password-reset-action = Выбрать новый пароль
password-reset-after = Ссылка действует один раз и истекает через { $minutes ->
    [one] { $minutes } минуту.
    [few] { $minutes } минуты.
   *[other] { $minutes } минут.
} Если это были не вы, не обращайте внимания на это письмо: ваш пароль останется прежним.

account-exists-subject = Кто-то пытался зарегистрироваться с вашим адресом электронной почты
account-exists-body = Кто-то пытался создать новую учётную запись pledgeboard с этим адресом электронной почты, для которого уже есть учётная запись. Ничего не изменено.
account-exists-body-2 = Если это были вы, просто войдите; если вы забыли пароль, сбросьте его здесь:
account-exists-action = Сбросить пароль
account-exists-after = Если это были не вы, можете не обращать внимания на это письмо.

password-changed-subject = Пароль pledgeboard изменён
password-changed-body = Пароль вашей учётной записи pledgeboard только что изменён, и все сеансы завершены.
password-changed-body-2 = Если это сделали не вы, сбросьте пароль сейчас и сообщите секретариату коалиции:
password-changed-action = Сбросить пароль

invitation-subject = Присоединяйтесь к { $organisation } в pledgeboard
invitation-body = { $inviter } приглашает вас присоединиться к { $organisation } в pledgeboard { $role ->
    [owner] в качестве владельца
   *[member] в качестве участника
}, чтобы регистрировать её обязательства и следить за ними.
invitation-body-2 = Примите приглашение и выберите пароль здесь:
invitation-action = Принять приглашение
invitation-after = Приглашение действует один раз и истекает через { $days ->
    [one] { $days } день.
    [few] { $days } дня.
   *[other] { $days } дней.
}

pledge-entered-subject = Подтвердите обязательство { $organisation } в pledgeboard
pledge-entered-body = { $inviter } из секретариата коалиции внёс(ла) обязательство от имени { $organisation }:
pledge-entered-source = (источник: { $source })
pledge-entered-body-2 = Оно показано как внесённое секретариатом и ещё не подтверждённое организацией. Чтобы подтвердить его и стать владельцем { $organisation } в pledgeboard, примите это приглашение и выберите пароль:
pledge-entered-action = Подтвердить обязательство

pledge-submitted-subject = Новое обязательство на рассмотрение: { $title }
pledge-submitted-body = { $organisation } подала обязательство на рассмотрение:
pledge-submitted-tracks = Направления: { $tracks }
pledge-submitted-body-2 = Рассмотрите его в очереди модерации:
pledge-submitted-action = Открыть очередь модерации

pledge-decision-subject = { $decision ->
    [approved] Ваше обязательство опубликовано: { $title }
    [scheduled] Ваше обязательство одобрено и будет обнародовано { $when }: { $title }
    [revealed] Ваше обязательство теперь общедоступно: { $title }
    [changes_requested] По вашему обязательству запрошены изменения: { $title }
   *[rejected] Ваше обязательство не принято: { $title }
}
pledge-decision-body = { $decision ->
    [scheduled] Ваше обязательство «{ $title }» одобрено. До { $when } его видят только ваша организация и сотрудники коалиции, затем оно станет общедоступным.
    [revealed] Ваше обязательство «{ $title }» стало общедоступным в объявленный момент.
   *[other] Модератор принял решение по вашему обязательству «{ $title }»: { $decision ->
        [approved] одобрено
        [changes_requested] запрошены изменения
       *[rejected] отклонено
    }.
}
pledge-decision-body-2 = Обязательство и его история здесь:
pledge-decision-action = Открыть обязательство

amendment-proposed-subject = Изменение на рассмотрение: { $title }
amendment-proposed-body = { $organisation } предложила изменение своего опубликованного обязательства:
amendment-proposed-fields = Изменённые поля: { $fields }
amendment-proposed-after = Опубликованное обязательство остаётся прежним, пока изменение не одобрено. Рассмотрите его здесь:
amendment-proposed-action = Рассмотреть изменение

amendment-decision-subject = { $decision ->
    [approved] Изменение вашего обязательства одобрено: { $title }
   *[refused] Изменение вашего обязательства отклонено: { $title }
}
amendment-decision-body = Модератор принял решение по изменению вашего обязательства «{ $title }»: { $decision ->
    [approved] одобрено
   *[refused] отклонено
}.

report-decision-subject = { $decision ->
    [accepted] Ваш отчёт о ходе выполнения за { $year } принят: { $title }
   *[returned] Ваш отчёт о ходе выполнения за { $year } возвращён: { $title }
}
report-decision-body = Модератор рассмотрел ваш отчёт о ходе выполнения за { $year } по обязательству «{ $title }»: { $decision ->
    [accepted] принят
   *[returned] возвращён
}.
report-decision-body-2 = Отчёты по обязательству здесь:
report-decision-action = Открыть отчёты

report-due-subject = Ожидается отчёт о ходе выполнения: { $title } ({ $year })
report-due-body = По обязательству вашей организации «{ $title }» ещё нет отчёта о ходе выполнения за { $year }.
report-due-body-2 = Ежегодная отчётность сохраняет точность показателей коалиции: сообщите, как продвигается выполнение, сколько долларов США выделено в { $year } и скольких людей это затронуло. Подайте отчёт через API:

second-reminder-subject = Второе напоминание: отчёт о ходе выполнения за { $year } ожидается до { $due } ({ $title })
second-reminder-body = По обязательству вашей организации «{ $title }» до сих пор нет принятого отчёта о ходе выполнения за годы до { $year }. Отчёт за { $year } ожидается до { $due }: если срок пройдёт без отчёта, обязательство будет показано как неактивное, пока отчёт не будет принят.

pledge-inactive-subject = Ваше обязательство теперь неактивно: { $title }
pledge-inactive-body = По обязательству вашей организации «{ $title }» два отчётных года не было принятых отчётов о ходе выполнения (последний пропущенный: { $year }), поэтому теперь оно показано как неактивное. Оно остаётся публичным, и следующий отчёт, принятый модератором, снова сделает его активным.

digest-subject = Ожидает модерации на { $day }
digest-body = Что ожидает в вашей зоне ответственности на { $day }:
digest-all-tracks = Все направления
digest-line = { $track }: { $pledges ->
    [one] { $pledges } обязательство ожидает решения
    [few] { $pledges } обязательства ожидают решения
   *[other] { $pledges } обязательств ожидают решения
}; { $reports ->
    [one] { $reports } отчёт ожидает рассмотрения
    [few] { $reports } отчёта ожидают рассмотрения
   *[other] { $reports } отчётов ожидают рассмотрения
}; { $amendments ->
    [one] { $amendments } изменение ожидает решения
    [few] { $amendments } изменения ожидают решения
   *[other] { $amendments } изменений ожидают решения
}
digest-line-oldest = { $track }: { $pledges ->
    [one] { $pledges } обязательство ожидает решения
    [few] { $pledges } обязательства ожидают решения
   *[other] { $pledges } обязательств ожидают решения
}, самое давнее — { $hours ->
    [one] { $hours } час
    [few] { $hours } часа
   *[other] { $hours } часов
}; { $reports ->
    [one] { $reports } отчёт ожидает рассмотрения
    [few] { $reports } отчёта ожидают рассмотрения
   *[other] { $reports } отчётов ожидают рассмотрения
}; { $amendments ->
    [one] { $amendments } изменение ожидает решения
    [few] { $amendments } изменения ожидают решения
   *[other] { $amendments } изменений ожидают решения
}
digest-body-2 = Очередь модерации:
digest-action = Открыть очередь модерации

## Страницы по ссылкам из писем

page-verify-title = Подтвердите адрес электронной почты
page-verify-button = Подтвердить мой адрес
page-verify-done = Ваш адрес электронной почты подтверждён. Теперь вы можете подавать обязательства.
page-reset-title = Сброс пароля
page-reset-choose-title = Выберите новый пароль
page-reset-email-label = Адрес электронной почты
page-reset-request-button = Прислать ссылку для сброса
page-reset-sent = Если для этого адреса есть учётная запись, ссылка для сброса уже отправлена. Она действует 30 минут.
page-reset-password-label = Новый пароль
page-reset-button = Сохранить новый пароль
page-reset-done = Пароль изменён, и все сеансы завершены. Войдите с новым паролем.
page-password-hint = Не менее 12 символов; хорошо подходят несколько не связанных между собой слов.
page-accept-title = Присоединяйтесь к своей организации в pledgeboard
page-accept-name-label = Ваше имя
page-accept-password-label = Выберите пароль
page-accept-button = Присоединиться к организации
page-welcome-title = Добро пожаловать в pledgeboard
page-welcome-done = Теперь вы { $role ->
    [owner] владелец
   *[member] участник
} организации { $organisation }. Войдите как { $email }.
page-link-invalid = Эта ссылка недействительна, уже использована или просрочена.

## Большой экран (`/live/{track}`): числа форматируются по языковым данным браузера

screen-all-pledges = Все обязательства
screen-page-title = Обязательства в прямом эфире · { $track }
screen-staff-figures = служебные показатели
screen-connecting = подключение…
screen-live = в эфире
screen-reconnecting = переподключение…
screen-commitments = обязательств
screen-pledged = обещано (USD)
screen-entities = участников
screen-governments = правительств
screen-countries = стран-получателей
screen-ldc = обязательств для наименее развитых стран
screen-scan = Отсканируйте, чтобы просмотреть обязательства
screen-latest = Новые
screen-goal = { $kind ->
    [usd_pledged] Цель: { $target } обещано к { $deadline }
    [pledges] Цель: { $target } обязательств к { $deadline }
   *[entities] Цель: { $target } участников к { $deadline }
}
screen-pending = На рассмотрении: { $pledges } ожидают решения, { $usd }; { $scheduled } ждут объявления
screen-goal-reached = Цель достигнута!
screen-milestone-usd = Обещано { $amount }!
screen-milestone-pledges = { $count } обязательств!
screen-updated = обновлено в { $time }

## Словари: приоритетные области и направления, виды организаций, виды обязательств, статусы, индикаторы

focus-area-access = Доступ
focus-area-access-tagline = Подключение людей повсюду
focus-area-adoption = Внедрение
focus-area-adoption-tagline = Расширение возможностей сообществ
focus-area-value_creation = Создание ценности
focus-area-value_creation-tagline = Формирование цифровых экосистем
focus-area-accelerate = Ускорение
focus-area-accelerate-tagline = Стимулирование инвестиций
pillar-infrastructure = Связь и цифровая инфраструктура
pillar-affordability = Ценовая доступность
pillar-cybersecurity = Кибербезопасность
pillar-skills = Навыки
pillar-digital_inclusion = Цифровая интеграция
pillar-relevant_local_content_and_services = Актуальный / местный контент и услуги
pillar-digital_innovation_and_entrepreneurship = Цифровые инновации и предпринимательство
pillar-innovative_financing = Инновационное финансирование
pillar-project_viability = Жизнеспособность проектов
pillar-investor_constellation = Круг инвесторов
organisation-kind-government = Правительство
organisation-kind-private_sector = Частный сектор
organisation-kind-civil_society = Гражданское общество
organisation-kind-academia = Академические круги
organisation-kind-international_organisation = Международная организация
organisation-kind-un_entity = Структура ООН
organisation-kind-other = Другое
pledge-type-financial = Финансовое
pledge-type-policy = Нормативное
pledge-type-programmatic = Программное
pledge-type-advocacy = Информационно-пропагандистское
status-draft = Черновик
status-submitted = Подано
status-changes_requested = Запрошены изменения
status-published = Опубликовано
status-rejected = Отклонено
status-withdrawn = Отозвано
status-completed = Выполнено
status-inactive = Неактивно
status-scheduled = Запланировано
light-on_track = По плану
light-at_risk = Под угрозой
light-off_track = С отставанием
light-completed = Выполнено
light-no_report = Нет отчёта
