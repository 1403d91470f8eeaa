# رسائل pledgeboard باللغة العربية (المعرّفات والمتغيرات نفسها كما في الإنجليزية).

## عناوين المشكلات

problem-title-malformed-request-body = نص الطلب غير سليم
problem-title-unsupported-media-type = نوع الوسائط غير مدعوم
problem-title-request-body-too-large = نص الطلب كبير جدًا
problem-title-request-timeout = انتهت مهلة الطلب
problem-title-invalid-query-string = معاملات الاستعلام غير صالحة
problem-title-invalid-path-parameter = معامل العنوان غير صالح
problem-title-validation-failed = فشل التحقق
problem-title-unprocessable-request = تعذّرت معالجة الطلب
problem-title-bad-request = طلب غير صالح
problem-title-unauthorized = مطلوب تسجيل الدخول
problem-title-invalid-token = رمز غير صالح
problem-title-forbidden = غير مسموح
problem-title-not-found = غير موجود
problem-title-method-not-allowed = الطريقة غير مسموح بها
problem-title-conflict = تعارض
problem-title-precondition-failed = لم يتحقق الشرط المسبق
problem-title-precondition-required = الشرط المسبق مطلوب
problem-title-too-many-requests = طلبات كثيرة جدًا
problem-title-service-unavailable = الخدمة غير متاحة
problem-title-internal-server-error = خطأ داخلي في الخادم

## تفاصيل المشكلات، حسب الرمز

problem-malformed_json = نص الطلب ليس JSON صالحًا لهذه العملية.
problem-unsupported_media_type = يجب أن يكون نص الطلب بصيغة application/json.
problem-payload_too_large = يتجاوز نص الطلب الحد البالغ { $limit } بايت.
problem-request_timeout = لم يصل نص الطلب في الوقت المحدد.
problem-invalid_query = تتعذّر قراءة معاملات الاستعلام: أحد المعاملات غير معروف أو مكرر أو غير سليم.
problem-invalid_path = تتعذّر قراءة قيمة في العنوان.
problem-validation_failed = { $count ->
    [zero] لا توجد حقول غير صالحة.
    [one] حقل واحد غير صالح.
    [two] حقلان غير صالحين.
    [few] { $count } حقول غير صالحة.
   *[other] { $count } حقلًا غير صالح.
}
problem-bad_request = تتعذّر قراءة الطلب.
problem-unauthorized = المصادقة مطلوبة.
problem-invalid_credentials = عنوان البريد الإلكتروني أو كلمة المرور غير صحيحة.
problem-invalid_token = هذا الرابط أو الرمز غير صالح أو مستخدم أو منتهي الصلاحية.
problem-invalid_refresh_token = رمز التجديد غير صالح أو منتهي الصلاحية أو مستخدم من قبل.
problem-forbidden = لا يُسمح لك بالقيام بذلك.
problem-not_found = { $resource ->
    [pledge] لم يُعثر على هذا التعهد.
    [organisation] لم يُعثر على هذه المنظمة.
    [track] لم يُعثر على هذا المسار.
    [user] لم يُعثر على هذا المستخدم.
    [member] لم يُعثر على هذا العضو.
    [invitation] لم يُعثر على هذه الدعوة.
    [report] لم يُعثر على تقرير التقدم هذا.
    [message] لم يُعثر على هذه الرسالة.
    [amendment] لا يوجد تعديل لهذا التعهد.
    [screen_link] لم يُعثر على رابط الشاشة هذا أو أُلغي.
    [import] لم يُعثر على عملية الاستيراد هذه.
   *[other] لم يُعثر على شيء هنا.
}
problem-route_not_found = لا يوجد مورد في هذا العنوان.
problem-method_not_allowed = هذه الطريقة غير مسموح بها هنا.
problem-precondition_failed = تغيّر المورد منذ أن قرأته.
problem-precondition_required = يجب أن يحمل هذا الطلب If-Match مع الإصدار الذي قرأته.
problem-rate_limited = { $seconds ->
    [one] طلبات كثيرة جدًا؛ أعد المحاولة بعد ثانية واحدة.
    [two] طلبات كثيرة جدًا؛ أعد المحاولة بعد ثانيتين.
    [few] طلبات كثيرة جدًا؛ أعد المحاولة بعد { $seconds } ثوانٍ.
   *[other] طلبات كثيرة جدًا؛ أعد المحاولة بعد { $seconds } ثانية.
}
problem-service_unavailable = لا تستطيع الخدمة الرد الآن؛ أعد المحاولة بعد قليل.
problem-storage_unavailable = لا تستطيع قاعدة البيانات قبول هذا الطلب الآن؛ لم يتغير شيء، أعد المحاولة بعد قليل.
problem-internal_error = حدث خطأ غير متوقع؛ وقد سُجّل.
problem-email_taken = لعنوان البريد الإلكتروني هذا حساب بالفعل.
problem-idempotency_in_progress = لا يزال طلب يحمل مفتاح Idempotency-Key هذا قيد المعالجة.
problem-idempotency_key_reused = استُخدم مفتاح Idempotency-Key هذا مع نص طلب مختلف.
problem-member_disabled = لا يمكن لحساب معطّل أن يملك منظمة.
problem-not_dead = لا يمكن إعادة إرسال إلا رسالة تعذّر تسليمها.
problem-not_published = لا يتم ذلك إلا على التعهدات المنشورة (بما فيها غير النشطة).
problem-own_account = لا يمكن للمسؤولين تغيير دورهم أو تعطيل أنفسهم.
problem-owner_cannot_be_removed = يجب على المالك أولًا نقل الملكية إلى عضو آخر.
problem-track_exists = يوجد مسار بهذا المعرّف بالفعل.
problem-no_organisation = لا يسجّل التعهدات إلا أعضاء منظمة.
problem-out_of_scope = هذا التعهد خارج المسارات التي تشرف عليها.
problem-own_organisation = يبتّ شخص آخر في تعهدات منظمتك وتقاريرها.
problem-not_allowed = لا يُسمح لك بالقيام بذلك على هذا التعهد.
problem-invalid_transition = لا يمكن لهذا التعهد اتخاذ هذه الخطوة في حالته الحالية.
problem-email_not_verified = أكّد عنوان بريدك الإلكتروني قبل تقديم تعهد.
problem-organisation_not_verified = يجب التحقق من منظمتك قبل نشر تعهداتها.
problem-report_not_submitted = لا يُراجَع إلا تقرير تقدم مقدَّم.
problem-report_accepted = قُبل تقرير هذا العام وهو السجل المعتمد للعام.
problem-before_history = الأرقام السابقة لليوم الذي بدأ فيه تسجيلها غير معروفة.
problem-date_in_future = الأرقام معروفة حتى اليوم، لا بعده.
problem-range_reversed = بداية الفترة تقع بعد نهايتها.
problem-range_too_long = تضم الفترة نقاطًا كثيرة جدًا؛ اطلب فترة أقصر أو نقاطًا شهرية.
problem-year_out_of_range = تُعدّ التقارير السنوية للأعوام ابتداءً من 2000.
problem-empty_file = لا يحتوي الملف على صفوف للاستيراد.
problem-malformed_csv = الملف ليس ملف CSV يمكن لهذه الخدمة قراءته.
problem-publish_needs_admin = لا يستورد التعهدات بصفتها منشورة إلا المسؤولون.
problem-reason_required = يلزم ذكر سبب لهذا القرار.
problem-not_amendable = لا تُعدَّل إلا التعهدات المنشورة (أو غير النشطة).
problem-amendment_open = لهذا التعهد تعديل مفتوح بالفعل: عدّله أو اسحبه أولًا.
problem-amendment_not_open = بُتّ في تعديل هذا التعهد أو سُحب بالفعل.
problem-amendment_unchanged = لن يغيّر التعديل شيئًا في التعهد المنشور.

## رسائل البريد: العناصر المشتركة

email-greeting = مرحبًا،
email-greeting-named = مرحبًا { $name }،
email-paste-link = أو الصق هذا الرابط في متصفحك: { $link }
email-footer = وصلتك هذه الرسالة من pledgeboard على العنوان { $url }.
email-reason = السبب المذكور:
email-file-report = قدّم تقريرًا هنا:
email-file-report-action = تقديم تقرير تقدم

## رسائل البريد، واحدة تلو الأخرى

verify-email-subject = أكّد عنوان بريدك الإلكتروني في pledgeboard
verify-email-body = يُرجى تأكيد عنوان بريدك الإلكتروني لتبدأ في تسجيل التعهدات:
verify-email-action = تأكيد عنوان بريدي الإلكتروني
verify-email-after = يعمل الرابط مرة واحدة وتنتهي صلاحيته بعد { $hours ->
    [zero] { $hours } ساعة.
    [one] ساعة واحدة.
    [two] ساعتين.
    [few] { $hours } ساعات.
   *[other] { $hours } ساعة.
} إن لم تكن قد سجّلت، فتجاهل هذه الرسالة.

password-reset-subject = إعادة تعيين كلمة مرور pledgeboard
password-reset-body = طلب أحدهم إعادة تعيين كلمة مرور حسابك في pledgeboard. إن كنت أنت، فاختر كلمة مرور جديدة هنا:
password-reset-action = اختيار كلمة مرور جديدة
password-reset-after = يعمل الرابط مرة واحدة وتنتهي صلاحيته بعد { $minutes ->
    [zero] { $minutes } دقيقة.
    [one] دقيقة واحدة.
    [two] دقيقتين.
    [few] { $minutes } دقائق.
   *[other] { $minutes } دقيقة.
} إن لم تكن أنت، فتجاهل هذه الرسالة: تبقى كلمة مرورك كما هي.

account-exists-subject = حاول أحدهم التسجيل بعنوان بريدك الإلكتروني
account-exists-body = حاول أحدهم إنشاء حساب جديد في pledgeboard بعنوان البريد الإلكتروني هذا، وله حساب بالفعل. لم يتغير شيء.
account-exists-body-2 = إن كنت أنت، فسجّل الدخول بدلًا من ذلك؛ وإن نسيت كلمة مرورك، فأعد تعيينها هنا:
account-exists-action = إعادة تعيين كلمة مروري
account-exists-after = إن لم تكن أنت، يمكنك تجاهل هذه الرسالة.

password-changed-subject = تغيّرت كلمة مرور pledgeboard الخاصة بك
password-changed-body = تغيّرت للتو كلمة مرور حسابك في pledgeboard، وأُنهيت جميع الجلسات.
password-changed-body-2 = إن لم تقم بذلك، فأعد تعيين كلمة مرورك الآن وأبلغ أمانة التحالف:
password-changed-action = إعادة تعيين كلمة مروري

invitation-subject = انضم إلى { $organisation } في pledgeboard
invitation-body = يدعوك { $inviter } إلى الانضمام إلى { $organisation } في pledgeboard { $role ->
    [owner] بصفتك مالكها
   *[member] بصفتك عضوًا
}، لتسجيل تعهداتها ومتابعتها.
invitation-body-2 = اقبل الدعوة واختر كلمة مرورك هنا:
invitation-action = قبول الدعوة
invitation-after = تعمل الدعوة مرة واحدة وتنتهي صلاحيتها بعد { $days ->
    [zero] { $days } يوم.
    [one] يوم واحد.
    [two] يومين.
    [few] { $days } أيام.
   *[other] { $days } يومًا.
}

pledge-entered-subject = أكّد تعهد { $organisation } في pledgeboard
pledge-entered-body = أدخل { $inviter } من أمانة التحالف تعهدًا باسم { $organisation }:
pledge-entered-source = (المصدر: { $source })
pledge-entered-body-2 = يظهر على أنه أدخلته الأمانة ولم تؤكده المنظمة بعد. لتأكيده وتولّي { $organisation } في pledgeboard بصفتك مالكها، اقبل هذه الدعوة واختر كلمة مرورك:
pledge-entered-action = تأكيد التعهد

pledge-submitted-subject = تعهد جديد للمراجعة: { $title }
pledge-submitted-body = قدّمت { $organisation } تعهدًا للمراجعة:
pledge-submitted-tracks = المسارات: { $tracks }
pledge-submitted-body-2 = راجعه في قائمة الإشراف:
pledge-submitted-action = فتح قائمة الإشراف

pledge-decision-subject = { $decision ->
    [approved] نُشر تعهدك: { $title }
    [scheduled] تمت الموافقة على تعهدك وسيُعلن في { $when }: { $title }
    [revealed] أصبح تعهدك علنيًا: { $title }
    [changes_requested] طُلبت تعديلات على تعهدك: { $title }
   *[rejected] لم يُقبل تعهدك: { $title }
}
pledge-decision-body = { $decision ->
    [scheduled] تمت الموافقة على تعهدك «{ $title }». لا يراه إلا منظمتك وموظفو التحالف حتى { $when }، ثم يصبح علنيًا.
    [revealed] أصبح تعهدك «{ $title }» علنيًا في الموعد المعلن.
   *[other] بتّ مشرف في تعهدك «{ $title }»: { $decision ->
        [approved] تمت الموافقة
        [changes_requested] طُلبت تعديلات
       *[rejected] رُفض
    }.
}
pledge-decision-body-2 = اطّلع على التعهد وسجله هنا:
pledge-decision-action = عرض التعهد

amendment-proposed-subject = تعديل للمراجعة: { $title }
amendment-proposed-body = اقترحت { $organisation } تعديلًا على تعهدها المنشور:
amendment-proposed-fields = الحقول المعدّلة: { $fields }
amendment-proposed-after = يبقى التعهد المنشور كما هو إلى أن يُوافَق على التعديل. راجعه هنا:
amendment-proposed-action = مراجعة التعديل

amendment-decision-subject = { $decision ->
    [approved] تمت الموافقة على تعديل تعهدك: { $title }
   *[refused] رُفض تعديل تعهدك: { $title }
}
amendment-decision-body = بتّ مشرف في تعديل تعهدك «{ $title }»: { $decision ->
    [approved] تمت الموافقة
   *[refused] رُفض
}.

report-decision-subject = { $decision ->
    [accepted] قُبل تقرير التقدم { $year } الخاص بك: { $title }
   *[returned] أُعيد تقرير التقدم { $year } الخاص بك: { $title }
}
report-decision-body = راجع مشرف تقرير التقدم { $year } الخاص بك عن التعهد «{ $title }»: { $decision ->
    [accepted] قُبل
   *[returned] أُعيد
}.
report-decision-body-2 = اطّلع على تقارير التعهد هنا:
report-decision-action = عرض التقارير

report-due-subject = تقرير تقدم مستحق: { $title } ({ $year })
report-due-body = لا يوجد بعد تقرير تقدم لعام { $year } عن تعهد منظمتك «{ $title }».
report-due-body-2 = تقديم التقارير كل عام يحافظ على دقة أرقام التحالف: أخبرنا بمدى تقدم التنفيذ، وبالدولارات الأمريكية المصروفة خلال عام { $year }، وبعدد من وصل إليهم. قدّمه عبر واجهة البرمجة:

second-reminder-subject = تذكير ثانٍ: تقرير التقدم { $year } مستحق بحلول { $due } ({ $title })
second-reminder-body = لا يزال تعهد منظمتك «{ $title }» بلا تقرير تقدم مقبول عن الأعوام السابقة لعام { $year }. تقريره عن عام { $year } مستحق بحلول { $due }: إذا انقضى هذا الموعد دون تقرير، فسيظهر التعهد غير نشط إلى أن يُقبل تقرير.

pledge-inactive-subject = أصبح تعهدك غير نشط: { $title }
pledge-inactive-body = لم يُقبل أي تقرير تقدم عن تعهد منظمتك «{ $title }» طوال عامين من أعوام التقارير (آخر عام فائت: { $year })، لذا يظهر الآن غير نشط. يبقى علنيًا، وسيعيده إلى النشاط أول تقرير تقدم يقبله مشرف.

digest-subject = بانتظار الإشراف في { $day }
digest-body = ما ينتظر في نطاق إشرافك في { $day }:
digest-all-tracks = جميع المسارات
digest-line = { $track }: { $pledges ->
    [zero] لا تعهدات بانتظار قرار
    [one] تعهد واحد بانتظار قرار
    [two] تعهدان بانتظار قرار
    [few] { $pledges } تعهدات بانتظار قرار
   *[other] { $pledges } تعهدًا بانتظار قرار
}؛ { $reports ->
    [zero] لا تقارير تقدم بانتظار المراجعة
    [one] تقرير تقدم واحد بانتظار المراجعة
    [two] تقريرا تقدم بانتظار المراجعة
    [few] { $reports } تقارير تقدم بانتظار المراجعة
   *[other] { $reports } تقرير تقدم بانتظار المراجعة
}؛ { $amendments ->
    [zero] لا تعديلات بانتظار قرار
    [one] تعديل واحد بانتظار قرار
    [two] تعديلان بانتظار قرار
    [few] { $amendments } تعديلات بانتظار قرار
   *[other] { $amendments } تعديلًا بانتظار قرار
}
digest-line-oldest = { $track }: { $pledges ->
    [zero] لا تعهدات بانتظار قرار
    [one] تعهد واحد بانتظار قرار
    [two] تعهدان بانتظار قرار
    [few] { $pledges } تعهدات بانتظار قرار
   *[other] { $pledges } تعهدًا بانتظار قرار
}، أقدمها منذ { $hours ->
    [zero] { $hours } ساعة
    [one] ساعة واحدة
    [two] ساعتين
    [few] { $hours } ساعات
   *[other] { $hours } ساعة
}؛ { $reports ->
    [zero] لا تقارير تقدم بانتظار المراجعة
    [one] تقرير تقدم واحد بانتظار المراجعة
    [two] تقريرا تقدم بانتظار المراجعة
    [few] { $reports } تقارير تقدم بانتظار المراجعة
   *[other] { $reports } تقرير تقدم بانتظار المراجعة
}؛ { $amendments ->
    [zero] لا تعديلات بانتظار قرار
    [one] تعديل واحد بانتظار قرار
    [two] تعديلان بانتظار قرار
    [few] { $amendments } تعديلات بانتظار قرار
   *[other] { $amendments } تعديلًا بانتظار قرار
}
digest-body-2 = قائمة الإشراف:
digest-action = فتح قائمة الإشراف

## صفحات الروابط المرسلة بالبريد

page-verify-title = أكّد عنوان بريدك الإلكتروني
page-verify-button = تأكيد عنوان بريدي الإلكتروني
page-verify-done = تم تأكيد عنوان بريدك الإلكتروني. يمكنك الآن تقديم التعهدات.
page-reset-title = إعادة تعيين كلمة المرور
page-reset-choose-title = اختر كلمة مرور جديدة
page-reset-email-label = عنوان البريد الإلكتروني
page-reset-request-button = أرسل لي رابط إعادة التعيين
page-reset-sent = إذا كان لهذا العنوان حساب، فرابط إعادة التعيين في طريقه إليك. وهو صالح لمدة 30 دقيقة.
page-reset-password-label = كلمة المرور الجديدة
page-reset-button = حفظ كلمة المرور الجديدة
page-reset-done = تغيّرت كلمة مرورك وأُنهيت جميع الجلسات. سجّل الدخول بكلمة المرور الجديدة.
page-password-hint = 12 حرفًا على الأقل؛ بضع كلمات لا رابط بينها تفي بالغرض.
page-accept-title = انضم إلى منظمتك في pledgeboard
page-accept-name-label = اسمك
page-accept-password-label = اختر كلمة مرور
page-accept-button = الانضمام إلى المنظمة
page-welcome-title = مرحبًا بك في pledgeboard
page-welcome-done = أنت الآن { $role ->
    [owner] مالك
   *[member] عضو في
} { $organisation }. سجّل الدخول باستخدام { $email }.
page-link-invalid = هذا الرابط غير صالح أو مستخدم أو منتهي الصلاحية.

## الشاشة الكبيرة (`/live/{track}`): تُنسَّق الأرقام وفق بيانات اللغة في المتصفح

screen-all-pledges = جميع التعهدات
screen-page-title = التعهدات مباشرةً · { $track }
screen-staff-figures = أرقام داخلية
screen-connecting = جارٍ الاتصال…
screen-live = مباشر
screen-reconnecting = جارٍ إعادة الاتصال…
screen-commitments = تعهدات
screen-pledged = المبالغ المتعهد بها (بالدولار الأمريكي)
screen-entities = جهات متعهدة
screen-governments = حكومات
screen-countries = بلدان مستهدفة
screen-ldc = تعهدات لأقل البلدان نموًا
screen-scan = امسح الرمز لتصفح التعهدات
screen-latest = الأحدث
screen-goal = { $kind ->
    [usd_pledged] الهدف: { $target } من التعهدات بحلول { $deadline }
    [pledges] الهدف: { $target } تعهد بحلول { $deadline }
   *[entities] الهدف: { $target } جهة متعهدة بحلول { $deadline }
}
screen-pending = قيد الانتظار: { $pledges } بانتظار قرار، { $usd }؛ { $scheduled } بانتظار الإعلان
screen-goal-reached = تحقق الهدف!
screen-milestone-usd = { $amount } من التعهدات!
screen-milestone-pledges = { $count } تعهد!
screen-updated = آخر تحديث { $time }

## المفردات: مجالات التركيز والركائز، أنواع المنظمات، أنواع التعهدات، الحالات، إشارات التقدم

focus-area-access = النفاذ
focus-area-access-tagline = ربط الناس في كل مكان
focus-area-adoption = الاعتماد
focus-area-adoption-tagline = تمكين المجتمعات
focus-area-value_creation = خلق القيمة
focus-area-value_creation-tagline = بناء المنظومات الرقمية
focus-area-accelerate = التسريع
focus-area-accelerate-tagline = تحفيز الاستثمارات
pillar-infrastructure = التوصيلية والبنية التحتية الرقمية
pillar-affordability = القدرة على تحمل التكلفة
pillar-cybersecurity = الأمن السيبراني
pillar-skills = المهارات
pillar-digital_inclusion = الشمول الرقمي
pillar-relevant_local_content_and_services = المحتوى والخدمات الملائمة / المحلية
pillar-digital_innovation_and_entrepreneurship = الابتكار الرقمي وريادة الأعمال
pillar-innovative_financing = التمويل المبتكر
pillar-project_viability = جدوى المشاريع
pillar-investor_constellation = شبكة المستثمرين
organisation-kind-government = حكومة
organisation-kind-private_sector = القطاع الخاص
organisation-kind-civil_society = المجتمع المدني
organisation-kind-academia = الأوساط الأكاديمية
organisation-kind-international_organisation = منظمة دولية
organisation-kind-un_entity = كيان تابع للأمم المتحدة
organisation-kind-other = أخرى
pledge-type-financial = مالي
pledge-type-policy = سياساتي
pledge-type-programmatic = برنامجي
pledge-type-advocacy = دعوي
status-draft = مسودة
status-submitted = مقدَّم
status-changes_requested = طُلبت تعديلات
status-published = منشور
status-rejected = مرفوض
status-withdrawn = مسحوب
status-completed = منجز
status-inactive = غير نشط
status-scheduled = مُجدول
light-on_track = على المسار الصحيح
light-at_risk = معرَّض للخطر
light-off_track = متأخر
light-completed = منجز
light-no_report = لا تقرير
