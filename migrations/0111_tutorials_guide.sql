-- The library's first tutorial, present from the first start: how to write one. It belongs to
-- the instance (no author) and is public; staff may edit or remove it like any other.
with guide as (
  insert into tutorials (title, summary, category_id, tags, difficulty, duration_minutes,
    cost_cents, materials, tools, status, visibility, published_at)
  select 'Comment écrire un tutoriel',
    'Partager ce que vous savez faire, pas à pas : choisir un sujet, réunir le matériel, découper en étapes, illustrer, relire et publier.',
    id, '{tutoriel,écriture,partage}', 'facile', 60, 0,
    E'Un ordinateur, une tablette ou un téléphone\nDe quoi prendre des photos',
    'Un bloc-notes pour le brouillon', 'published', 'public', now()
  from tutorial_categories where slug = 'vie-pratique'
  returning id
), steps (position, title, body) as (values
  (1, 'Choisir un sujet que vous maîtrisez',
   'Partez de ce que vous avez déjà fait de vos mains ou de votre tête : une recette de famille, la réparation d''un vélo, un semis réussi. Un bon tutoriel répond à une seule question : « comment faire ceci ? ». Si le sujet est vaste, découpez-le en plusieurs tutoriels.'),
  (2, 'Lister le matériel et les outils',
   'Avant la première étape, dites ce qu''il faut réunir, avec les quantités et les dimensions. Indiquez le temps nécessaire, le coût approximatif et la difficulté : chacun sait tout de suite si le projet est à sa portée.'),
  (3, 'Découper en étapes courtes',
   'Une étape est une action que l''on peut faire sans relire la précédente. Donnez-lui un titre qui commence par un verbe (« Poncer les planches », « Faire revenir les oignons »). Dans l''éditeur, les boutons « Monter » et « Descendre » changent l''ordre des étapes.'),
  (4, 'Illustrer chaque étape',
   'Une photo prise d''en haut, à la lumière du jour, vaut souvent un long paragraphe. Chaque étape accepte jusqu''à six images. Décrivez chacune dans son texte alternatif : ce qu''on y voit, pour les personnes qui ne la voient pas.'),
  (5, 'Prévenir des risques',
   'Signalez les gestes dangereux, les équipements de protection, les allergènes. Mieux vaut une mise en garde de trop qu''un accident.'),
  (6, 'Relire, choisir la licence et publier',
   'Relisez en suivant vos propres instructions, ou demandez à quelqu''un de le faire. Choisissez qui peut lire le tutoriel (tout le monde, le réseau des CMCAS ou seulement votre CMCAS) et sa licence : CC BY-SA 4.0 par défaut, pour que d''autres puissent l''améliorer en vous citant. Vous pouvez inviter des co-auteurs à l''écrire avec vous.')
)
insert into tutorial_steps (tutorial_id, position, title, source, content_html, text_plain)
select guide.id, steps.position, steps.title, steps.body, '<p>' || steps.body || '</p>', steps.body
from guide, steps;

update tutorials t set search = maillage_fold_plurals(
  setweight(to_tsvector('maillage_fr', t.title), 'A')
  || setweight(to_tsvector('maillage_fr', t.summary || ' ' || array_to_string(t.tags, ' ')), 'B')
  || setweight(to_tsvector('maillage_fr', coalesce((select string_agg(s.title || ' ' || s.text_plain, ' ')
       from tutorial_steps s where s.tutorial_id = t.id), '')), 'C'))
where t.title = 'Comment écrire un tutoriel' and t.author_id is null;
