# Messages de pledgeboard en français (mêmes identifiants et variables que l'anglais).

## Titres des problèmes

problem-title-malformed-request-body = Corps de requête mal formé
problem-title-unsupported-media-type = Type de média non pris en charge
problem-title-request-body-too-large = Corps de requête trop volumineux
problem-title-request-timeout = Délai de requête dépassé
problem-title-invalid-query-string = Paramètres de requête invalides
problem-title-invalid-path-parameter = Paramètre d'adresse invalide
problem-title-validation-failed = Échec de la validation
problem-title-unprocessable-request = Requête impossible à traiter
problem-title-bad-request = Requête incorrecte
problem-title-unauthorized = Non authentifié
problem-title-invalid-token = Jeton invalide
problem-title-forbidden = Interdit
problem-title-not-found = Introuvable
problem-title-method-not-allowed = Méthode non autorisée
problem-title-conflict = Conflit
problem-title-precondition-failed = Échec de la précondition
problem-title-precondition-required = Précondition requise
problem-title-too-many-requests = Trop de requêtes
problem-title-service-unavailable = Service indisponible
problem-title-internal-server-error = Erreur interne du serveur

## Détails des problèmes, par code

problem-malformed_json = Le corps de la requête n'est pas un JSON valide pour cette opération.
problem-unsupported_media_type = Le corps de la requête doit être en application/json.
problem-payload_too_large = Le corps de la requête dépasse la limite de { $limit } octets.
problem-request_timeout = Le corps de la requête n'est pas arrivé à temps.
problem-invalid_query = Les paramètres de la requête sont illisibles : un paramètre est inconnu, répété ou mal formé.
problem-invalid_path = Une valeur de l'adresse est illisible.
problem-validation_failed = { $count ->
    [one] Un champ est invalide.
   *[other] { $count } champs sont invalides.
}
problem-bad_request = La requête est illisible.
problem-unauthorized = Une authentification est requise.
problem-invalid_credentials = L'adresse électronique ou le mot de passe est incorrect.
problem-invalid_token = Ce lien ou ce jeton est invalide, déjà utilisé ou expiré.
problem-invalid_refresh_token = Le jeton de renouvellement est invalide, expiré ou déjà utilisé.
problem-forbidden = Vous n'avez pas le droit de faire ceci.
problem-not_found = { $resource ->
    [pledge] Cet engagement est introuvable.
    [organisation] Cette organisation est introuvable.
    [track] Ce volet est introuvable.
    [user] Cet utilisateur est introuvable.
    [member] Ce membre est introuvable.
    [invitation] Cette invitation est introuvable.
    [report] Ce rapport d'avancement est introuvable.
    [message] Ce message est introuvable.
    [amendment] Cet engagement n'a pas de modification.
    [screen_link] Ce lien d'écran est introuvable ou a été révoqué.
    [import] Cette importation est introuvable.
   *[other] Rien n'a été trouvé ici.
}
problem-route_not_found = Aucune ressource à cette adresse.
problem-method_not_allowed = Cette méthode n'est pas autorisée ici.
problem-precondition_failed = La ressource a changé depuis votre lecture.
problem-precondition_required = Cette requête doit porter If-Match avec la version que vous avez lue.
problem-rate_limited = { $seconds ->
    [one] Trop de requêtes ; réessayez dans une seconde.
   *[other] Trop de requêtes ; réessayez dans { $seconds } secondes.
}
problem-service_unavailable = Le service ne peut pas répondre pour l'instant ; réessayez sous peu.
problem-storage_unavailable = La base de données ne peut pas traiter cette requête pour l'instant ; rien n'a été modifié, réessayez sous peu.
problem-internal_error = Une erreur inattendue s'est produite ; elle a été consignée.
problem-email_taken = Cette adresse électronique a déjà un compte.
problem-idempotency_in_progress = Une requête avec cette Idempotency-Key est encore en cours de traitement.
problem-idempotency_key_reused = Cette Idempotency-Key a été utilisée avec un autre corps de requête.
problem-member_disabled = Un compte désactivé ne peut pas détenir une organisation.
problem-not_dead = Seul un message qui n'a pas pu être remis peut être renvoyé.
problem-not_published = Cela ne se fait que sur les engagements publiés (inactifs compris).
problem-own_account = Les administrateurs ne peuvent ni changer leur propre rôle ni se désactiver.
problem-owner_cannot_be_removed = Le propriétaire doit d'abord transmettre la propriété à un autre membre.
problem-track_exists = Un volet avec cet identifiant existe déjà.
problem-no_organisation = Seuls les membres d'une organisation enregistrent des engagements.
problem-out_of_scope = Cet engagement ne relève pas des volets que vous modérez.
problem-own_organisation = Les engagements et rapports de votre propre organisation sont examinés par quelqu'un d'autre.
problem-not_allowed = Vous n'avez pas le droit de faire ceci à cet engagement.
problem-invalid_transition = Cet engagement ne peut pas franchir cette étape dans son statut actuel.
problem-email_not_verified = Confirmez votre adresse électronique avant de soumettre un engagement.
problem-organisation_not_verified = Votre organisation doit être vérifiée avant que ses engagements soient publiés.
problem-report_not_submitted = Seul un rapport d'avancement soumis peut être examiné.
problem-report_accepted = Le rapport de cette année a été accepté et fait foi pour l'année.
problem-before_history = Les chiffres antérieurs au jour de leur premier enregistrement ne sont pas connus.
problem-date_in_future = Les chiffres sont connus jusqu'à aujourd'hui, pas au-delà.
problem-range_reversed = Le début de la période est postérieur à sa fin.
problem-range_too_long = La période contient trop de points ; demandez une période plus courte ou des points mensuels.
problem-year_out_of_range = Les bilans sont établis pour les années à partir de 2000.
problem-empty_file = Le fichier ne contient aucune ligne à importer.
problem-malformed_csv = Le fichier n'est pas un CSV lisible par ce service.
problem-publish_needs_admin = Seuls les administrateurs importent des engagements déjà publiés.
problem-reason_required = Un motif est requis pour cette décision.
problem-not_amendable = Seuls les engagements publiés (ou inactifs) peuvent être modifiés.
problem-amendment_open = Cet engagement a déjà une modification en cours : modifiez-la ou retirez-la d'abord.
problem-amendment_not_open = La modification de cet engagement a déjà été tranchée ou retirée.
problem-amendment_unchanged = La modification ne changerait rien à l'engagement publié.

## Courriels : éléments communs

email-greeting = Bonjour,
email-greeting-named = Bonjour { $name },
email-paste-link = Ou collez ce lien dans votre navigateur : { $link }
email-footer = Vous avez reçu ce message de pledgeboard à l'adresse { $url }.
email-reason = Motif indiqué :
email-file-report = Déposez un rapport ici :
email-file-report-action = Déposer un rapport d'avancement

## Courriels, un par un

verify-email-subject = Confirmez votre adresse électronique pour pledgeboard
verify-email-body = Veuillez confirmer votre adresse électronique pour commencer à enregistrer des engagements :
verify-email-action = Confirmer mon adresse électronique
verify-email-after = Le lien ne fonctionne qu'une fois et expire dans { $hours ->
    [one] { $hours } heure.
   *[other] { $hours } heures.
} Si vous ne vous êtes pas inscrit, ignorez ce message.

password-reset-subject = Réinitialisez votre mot de passe pledgeboard
password-reset-body = Quelqu'un a demandé la réinitialisation du mot de passe de votre compte pledgeboard. Si c'était vous, choisissez un nouveau mot de passe ici :
password-reset-action = Choisir un nouveau mot de passe
password-reset-after = Le lien ne fonctionne qu'une fois et expire dans { $minutes ->
    [one] { $minutes } minute.
   *[other] { $minutes } minutes.
} Si ce n'était pas vous, ignorez ce message : votre mot de passe reste inchangé.

account-exists-subject = Quelqu'un a tenté de s'inscrire avec votre adresse électronique
account-exists-body = Quelqu'un a tenté de créer un nouveau compte pledgeboard avec cette adresse électronique, qui a déjà un compte. Rien n'a été modifié.
account-exists-body-2 = Si c'était vous, connectez-vous plutôt ; si vous avez oublié votre mot de passe, réinitialisez-le ici :
account-exists-action = Réinitialiser mon mot de passe
account-exists-after = Si ce n'était pas vous, vous pouvez ignorer ce message.

password-changed-subject = Votre mot de passe pledgeboard a été modifié
password-changed-body = Le mot de passe de votre compte pledgeboard vient d'être modifié et toutes les sessions ont été fermées.
password-changed-body-2 = Si vous n'êtes pas à l'origine de ce changement, réinitialisez votre mot de passe maintenant et prévenez le secrétariat de la coalition :
password-changed-action = Réinitialiser mon mot de passe

invitation-subject = Rejoignez { $organisation } sur pledgeboard
invitation-body = { $inviter } vous invite à rejoindre { $organisation } sur pledgeboard en tant que { $role ->
    [owner] propriétaire
   *[member] membre
}, pour enregistrer et suivre ses engagements.
invitation-body-2 = Acceptez l'invitation et choisissez votre mot de passe ici :
invitation-action = Accepter l'invitation
invitation-after = L'invitation ne fonctionne qu'une fois et expire dans { $days ->
    [one] { $days } jour.
   *[other] { $days } jours.
}

pledge-entered-subject = Confirmez l'engagement de { $organisation } sur pledgeboard
pledge-entered-body = { $inviter }, du secrétariat de la coalition, a saisi un engagement au nom de { $organisation } :
pledge-entered-source = (source : { $source })
pledge-entered-body-2 = Il est présenté comme saisi par le secrétariat et pas encore confirmé par l'organisation. Pour le confirmer et prendre en charge { $organisation } sur pledgeboard en tant que propriétaire, acceptez cette invitation et choisissez votre mot de passe :
pledge-entered-action = Confirmer l'engagement

pledge-submitted-subject = Nouvel engagement à examiner : { $title }
pledge-submitted-body = { $organisation } a soumis un engagement à examiner :
pledge-submitted-tracks = Volets : { $tracks }
pledge-submitted-body-2 = Examinez-le dans la file de modération :
pledge-submitted-action = Ouvrir la file de modération

pledge-decision-subject = { $decision ->
    [approved] Votre engagement est publié : { $title }
    [scheduled] Votre engagement est approuvé, dévoilé le { $when } : { $title }
    [revealed] Votre engagement est désormais public : { $title }
    [changes_requested] Modifications demandées pour votre engagement : { $title }
   *[rejected] Votre engagement n'a pas été accepté : { $title }
}
pledge-decision-body = { $decision ->
    [scheduled] Votre engagement « { $title } » est approuvé. Jusqu'au { $when }, seuls votre organisation et l'équipe de la coalition le voient ; il devient public à ce moment-là.
    [revealed] Votre engagement « { $title } » est devenu public au moment annoncé.
   *[other] Un modérateur a statué sur votre engagement « { $title } » : { $decision ->
        [approved] approuvé
        [changes_requested] modifications demandées
       *[rejected] refusé
    }.
}
pledge-decision-body-2 = Consultez l'engagement et son historique ici :
pledge-decision-action = Voir l'engagement

amendment-proposed-subject = Modification à examiner : { $title }
amendment-proposed-body = { $organisation } a proposé une modification de son engagement publié :
amendment-proposed-fields = Champs modifiés : { $fields }
amendment-proposed-after = L'engagement publié reste tel quel tant que la modification n'est pas approuvée. Examinez-la ici :
amendment-proposed-action = Examiner la modification

amendment-decision-subject = { $decision ->
    [approved] La modification de votre engagement a été approuvée : { $title }
   *[refused] La modification de votre engagement a été refusée : { $title }
}
amendment-decision-body = Un modérateur a statué sur la modification de votre engagement « { $title } » : { $decision ->
    [approved] approuvée
   *[refused] refusée
}.

report-decision-subject = { $decision ->
    [accepted] Votre rapport d'avancement { $year } a été accepté : { $title }
   *[returned] Votre rapport d'avancement { $year } a été renvoyé : { $title }
}
report-decision-body = Un modérateur a examiné votre rapport d'avancement { $year } sur l'engagement « { $title } » : { $decision ->
    [accepted] accepté
   *[returned] renvoyé
}.
report-decision-body-2 = Consultez les rapports de l'engagement ici :
report-decision-action = Voir les rapports

report-due-subject = Rapport d'avancement attendu : { $title } ({ $year })
report-due-body = L'engagement « { $title } » de votre organisation n'a pas encore de rapport d'avancement pour { $year }.
report-due-body-2 = Rendre compte chaque année garantit l'exactitude des chiffres de la coalition : dites-nous où en est la mise en œuvre, les dollars des États-Unis décaissés en { $year } et les personnes atteintes. Déposez-le par l'API :

second-reminder-subject = Second rappel : rapport d'avancement { $year } attendu avant le { $due } ({ $title })
second-reminder-body = L'engagement « { $title } » de votre organisation n'a toujours aucun rapport d'avancement accepté pour les années antérieures à { $year }. Son rapport sur { $year } est attendu avant le { $due } : si cette échéance passe sans rapport, l'engagement sera affiché comme inactif jusqu'à ce qu'un rapport soit accepté.

pledge-inactive-subject = Votre engagement est désormais inactif : { $title }
pledge-inactive-body = L'engagement « { $title } » de votre organisation n'a eu aucun rapport d'avancement accepté pendant deux années de rapport (la dernière manquée : { $year }) ; il est donc affiché comme inactif. Il reste public, et le prochain rapport accepté par un modérateur le rendra de nouveau actif.

digest-subject = En attente de modération le { $day }
digest-body = Ce qui attend dans votre périmètre le { $day } :
digest-all-tracks = Tous les volets
digest-line = { $track } : { $pledges ->
    [one] { $pledges } engagement en attente de décision
   *[other] { $pledges } engagements en attente de décision
} ; { $reports ->
    [one] { $reports } rapport d'avancement en attente d'examen
   *[other] { $reports } rapports d'avancement en attente d'examen
} ; { $amendments ->
    [one] { $amendments } modification en attente de décision
   *[other] { $amendments } modifications en attente de décision
}
digest-line-oldest = { $track } : { $pledges ->
    [one] { $pledges } engagement en attente de décision
   *[other] { $pledges } engagements en attente de décision
}, le plus ancien depuis { $hours ->
    [one] { $hours } heure
   *[other] { $hours } heures
} ; { $reports ->
    [one] { $reports } rapport d'avancement en attente d'examen
   *[other] { $reports } rapports d'avancement en attente d'examen
} ; { $amendments ->
    [one] { $amendments } modification en attente de décision
   *[other] { $amendments } modifications en attente de décision
}
digest-body-2 = La file de modération :
digest-action = Ouvrir la file de modération

## Pages des liens envoyés par courriel

page-verify-title = Confirmez votre adresse électronique
page-verify-button = Confirmer mon adresse électronique
page-verify-done = Votre adresse électronique est confirmée. Vous pouvez désormais soumettre des engagements.
page-reset-title = Réinitialisez votre mot de passe
page-reset-choose-title = Choisissez un nouveau mot de passe
page-reset-email-label = Adresse électronique
page-reset-request-button = M'envoyer un lien de réinitialisation
page-reset-sent = Si cette adresse a un compte, un lien de réinitialisation est en route. Il est valable 30 minutes.
page-reset-password-label = Nouveau mot de passe
page-reset-button = Enregistrer mon nouveau mot de passe
page-reset-done = Votre mot de passe est modifié et toutes les sessions ont été fermées. Connectez-vous avec le nouveau mot de passe.
page-password-hint = Au moins 12 caractères ; quelques mots sans rapport entre eux font très bien l'affaire.
page-accept-title = Rejoignez votre organisation sur pledgeboard
page-accept-name-label = Votre nom
page-accept-password-label = Choisissez un mot de passe
page-accept-button = Rejoindre l'organisation
page-welcome-title = Bienvenue sur pledgeboard
page-welcome-done = Vous êtes désormais { $role ->
    [owner] propriétaire
   *[member] membre
} de { $organisation }. Connectez-vous avec { $email }.
page-link-invalid = Ce lien est invalide, déjà utilisé ou expiré.

## Le grand écran (`/live/{track}`) : les chiffres sont mis en forme selon les données de langue du navigateur

screen-all-pledges = Tous les engagements
screen-page-title = Engagements en direct · { $track }
screen-staff-figures = chiffres internes
screen-connecting = connexion…
screen-live = en direct
screen-reconnecting = reconnexion…
screen-commitments = engagements
screen-pledged = promis (USD)
screen-entities = entités engagées
screen-governments = gouvernements
screen-countries = pays ciblés
screen-ldc = engagements pour les pays les moins avancés
screen-scan = Scannez pour parcourir les engagements
screen-latest = Derniers
screen-goal = { $kind ->
    [usd_pledged] Objectif : { $target } promis d'ici le { $deadline }
    [pledges] Objectif : { $target } engagements d'ici le { $deadline }
   *[entities] Objectif : { $target } entités engagées d'ici le { $deadline }
}
screen-pending = En attente : { $pledges } en attente de décision, { $usd } ; { $scheduled } à dévoiler
screen-goal-reached = Objectif atteint !
screen-milestone-usd = { $amount } promis !
screen-milestone-pledges = { $count } engagements !
screen-updated = mis à jour à { $time }

## Vocabulaires : domaines prioritaires et piliers, types d'organisation, types d'engagement, statuts, voyants

focus-area-access = Accès
focus-area-access-tagline = Connecter les gens partout
focus-area-adoption = Adoption
focus-area-adoption-tagline = Autonomiser les communautés
focus-area-value_creation = Création de valeur
focus-area-value_creation-tagline = Bâtir des écosystèmes numériques
focus-area-accelerate = Accélération
focus-area-accelerate-tagline = Encourager les investissements
pillar-infrastructure = Connectivité et infrastructure numérique
pillar-affordability = Accessibilité financière
pillar-cybersecurity = Cybersécurité
pillar-skills = Compétences
pillar-digital_inclusion = Inclusion numérique
pillar-relevant_local_content_and_services = Contenus et services pertinents / locaux
pillar-digital_innovation_and_entrepreneurship = Innovation numérique et entrepreneuriat
pillar-innovative_financing = Financements innovants
pillar-project_viability = Viabilité des projets
pillar-investor_constellation = Réseau d'investisseurs
organisation-kind-government = Gouvernement
organisation-kind-private_sector = Secteur privé
organisation-kind-civil_society = Société civile
organisation-kind-academia = Milieu universitaire
organisation-kind-international_organisation = Organisation internationale
organisation-kind-un_entity = Entité des Nations Unies
organisation-kind-other = Autre
pledge-type-financial = Financier
pledge-type-policy = Politique
pledge-type-programmatic = Programmatique
pledge-type-advocacy = Plaidoyer
status-draft = Brouillon
status-submitted = Soumis
status-changes_requested = Modifications demandées
status-published = Publié
status-rejected = Refusé
status-withdrawn = Retiré
status-completed = Réalisé
status-inactive = Inactif
status-scheduled = Programmé
light-on_track = En bonne voie
light-at_risk = À risque
light-off_track = En retard
light-completed = Réalisé
light-no_report = Sans rapport
