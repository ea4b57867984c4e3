"""Compose labelled customer/reply pairs from hand-written banks (deterministic).

    python data/classifier/compose.py   # writes data/classifier/lead_pairs.jsonl

Every string below was written for sävy. A pair is a customer message (a
problem, a feeling, both, or a neutral/worried question) and an agent reply
built from an optional opening, apology, empathy, a hard negative, domain
content and a closing; the labels follow from the parts used. A quarter of
every apology, empathy, problem and feeling variant is reserved for the test
split and an eighth for the validation split (where thresholds are chosen), so
those pairs contain phrasings never seen in training.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

import yaml

SEED = 20261122

# --- customer side ---------------------------------------------------------
PROBLEMS = {
    "ecommerce": [
        "Tilaamani takki tuli väärän kokoisena.", "Paketti saapui rikki, kulma oli täysin litistynyt.",
        "Tilaus ei ole vieläkään tullut, vaikka luvattiin kolmessa päivässä.", "Minulta veloitettiin kahteen kertaan.",
        "Palautuksen hyvitys puuttuu edelleen.", "Kengistä irtosi pohja toisella käyttökerralla.",
        "Sain aivan eri tuotteen kuin tilasin.", "Alennuskoodi ei toiminut kassalla.",
        "Seurantakoodi ei näytä mitään tietoja.", "Pakkauksesta puuttui laturi.",
    ],
    "telecom": [
        "Netti katkeilee koko ajan.", "Laskussani on maksuja, joita en ole tilannut.",
        "Puhelimessa ei ole kenttää kotona.", "Liittymää ei ole vieläkään aktivoitu.",
        "Nopeus on murto-osa luvatusta.", "Numeronsiirto epäonnistui ja olen ilman puhelinta.",
        "Tv-kanavat eivät näy.", "Modeemi ei käynnisty ollenkaan.",
        "Roaming-maksut olivat satoja euroja, vaikka laitoin datan pois.", "Sähköpostini ei toimi.",
    ],
    "bank": [
        "Korttini ei käy kaupassa.", "Tililtäni on veloitettu tuntematon summa.",
        "Verkkopankkiin ei pääse kirjautumaan.", "Lainahakemukseeni ei ole vastattu kuukauteen.",
        "Maksu meni väärälle tilille.", "Tunnuslukusovellus kaatuu koko ajan.",
        "Palvelumaksut nousivat ilman ilmoitusta.", "Tilisiirto on ollut jumissa kolme päivää.",
        "Kortti jäi automaattiin.", "Sain laskun, vaikka tili piti olla maksuton.",
    ],
    "insurance": [
        "Korvauspäätös on viipynyt kaksi kuukautta.", "Korvaushakemukseni hylättiin ilman perusteluja.",
        "Vakuutusmaksu nousi yllättäen kolmanneksella.", "Kukaan ei ole soittanut takaisin vahingosta.",
        "Laskussa on väärä vakuutuskausi.", "Vahinkoilmoituksen lähetys ei onnistu verkossa.",
        "Sain kaksi laskua samasta vakuutuksesta.", "Korvaus oli paljon pienempi kuin luvattiin.",
        "Vakuutus irtisanottiin ilman syytä.", "Tarkastaja ei tullut sovittuna aikana.",
    ],
    "public_services": [
        "Hakemukseni on ollut käsittelyssä puoli vuotta.", "Sain päätöksen väärällä nimellä.",
        "Lomake ei lähde, se antaa aina virheen.", "Puhelinpalveluun ei pääse läpi.",
        "Asumistukeni maksettiin väärin.", "Liitteet katosivat järjestelmästä.",
        "Minulle lähetettiin karhukirje, vaikka maksoin ajallaan.", "Ajanvaraus poliisille ei toimi.",
        "Tukea ei ole maksettu, vaikka päätös tuli.", "Viranomainen ei vastaa sähköposteihin.",
    ],
    "housing": [
        "Asunnon lämmitys ei toimi.", "Kylpyhuoneessa on vesivuoto.",
        "Vikailmoitukseen ei ole reagoitu kahteen viikkoon.", "Naapurin meteli jatkuu joka yö.",
        "Vuokranmaksu veloitettiin kahdesti.", "Ilmanvaihto pitää kovaa ääntä.",
        "Pihalla on kasoittain roskia, eikä niitä haeta.", "Hissi on ollut rikki viikon.",
        "Avain ei toimi ulko-oveen.", "Homeen haju ei ole kadonnut korjauksesta huolimatta.",
    ],
    "healthcare_booking": [
        "Aikani peruttiin ilman ilmoitusta.", "Ajanvaraus ei onnistu sovelluksessa.",
        "Odotin vastaanotolla tunnin, eikä lääkäri tullut.", "Laskussa on käynti, jota en ole tehnyt.",
        "Reseptin uusiminen ei ole edennyt.", "Tekstiviestimuistutus tuli väärälle päivälle.",
        "Laboratorion tulokset eivät näy.", "Puhelinjonossa odotin 40 minuuttia.",
        "Lähete on kadonnut.", "Etävastaanoton linkki ei toiminut.",
    ],
    "transport": [
        "Juna oli kaksi tuntia myöhässä.", "Bussi ajoi pysäkin ohi.",
        "Matkalipun lataus ei onnistu.", "Laukkuni katosi matkalla.",
        "Minulta veloitettiin lipusta kahdesti.", "Lento peruttiin, eikä kukaan kertonut mitään.",
        "Istumapaikkavaraus oli väärä.", "Tarkastusmaksu tuli, vaikka lippu oli voimassa.",
        "Sovellus kaatui ostaessa.", "Junassa ei ollut lämmitystä.",
    ],
    "utilities": [
        "Sähkölasku on kolminkertainen tavalliseen verrattuna.", "Sähköt ovat poikki jo toista päivää.",
        "Vesi on ruskeaa.", "Mittarilukema on laskussa väärin.",
        "Sopimus siirtyi kalliimpaan ilman lupaani.", "Kaukolämpö katkesi ilman ilmoitusta.",
        "Laskua ei ole tullut kolmeen kuukauteen.", "Jätteitä ei ole haettu kahteen viikkoon.",
        "Verkkopalvelussa näkyy väärä kulutus.", "Hyvitystä ei ole tullut sähkökatkosta.",
    ],
    "b2b_software": [
        "Järjestelmä on ollut alhaalla koko aamun.", "Raporttien vienti antaa virheilmoituksen.",
        "Integraatio lakkasi toimimasta päivityksen jälkeen.", "Lisenssejä laskutettiin liikaa.",
        "Käyttäjät eivät pääse kirjautumaan.", "Data katosi migraatiossa.",
        "Tukipyyntöön ei ole vastattu SLA:n mukaisesti.", "API palauttaa virhettä 500.",
        "Uusi versio hidasti kaiken.", "Laskutusmoduuli laskee alvin väärin.",
    ],
}
FEELINGS = [
    "Olen todella pettynyt.", "Tämä on jo kolmas kerta!", "Olen tosi turhautunut.", "Olen ihan raivona.",
    "Tämä on uskomatonta.", "Olen huolissani.", "Tarvitsen tämän huomenna!", "Alkaa mennä hermot.",
    "Olen aivan loppu tämän kanssa.", "Tämä stressaa minua ihan hirveästi.", "Harmittaa ihan älyttömästi.",
    "En ole nukkunut kunnolla tämän takia.", "Minulla on tosi kiire.", "Pelottaa, että rahat menetettiin.",
    "Olen ollut tästä tosi ahdistunut.", "Ei voi olla totta!!", "Olen kyllästynyt odottamaan.",
    "Äitini on sairaalassa enkä pääse hoitamaan tätä.", "Lapset ovat kylmässä asunnossa.",
    "Tämä pilasi koko lomani.", "Olen ihan epätoivoinen.", "Tää on ihan perseestä.", "Oon tosi pettyny.",
    "Mulla menee kohta hermot.", "Olen menettänyt jo työpäivän tämän takia.", "Tämä on todella nöyryyttävää.",
    "Pelkään, että menetän asunnon.", "Olen yksin kotona vauvan kanssa.", "Hävettää ja suututtaa.",
    "Olen odottanut jo viikon ja alkaa riittää.", "Tarvitsen tämän lahjaksi lauantaiksi.",
    "En tiedä, mitä enää tekisin.", "Oikeasti, kuinka vaikeaa tämä voi olla?", "Olen aivan järkyttynyt.",
    "Asiakkaamme odottavat ja meillä on paniikki.", "Koko tiimin työ on pysähdyksissä.",
]
NEUTRAL = [
    "Mihin aikaan olette auki?", "Voiko tilaukseen lisätä tuotteen?", "Miten vaihdan osoitteen?",
    "Onko teillä lahjakortteja?", "Kuinka kauan toimitus kestää?", "Voinko maksaa laskulla?",
    "Miten saan kuitin sähköpostiin?", "Onko tuotetta saatavilla myymälästä?", "Miten liittymän voi irtisanoa?",
    "Voinko siirtää eräpäivää?", "Mitä vakuutus kattaa ulkomailla?", "Miten teen vahinkoilmoituksen?",
    "Milloin seuraava juna Tampereelle lähtee?", "Miten vaihdan sähkösopimuksen?", "Saako koiran tuoda mukaan?",
    "Kuinka paljon lisäkäyttäjä maksaa?", "Onko ohjelmistossa englanninkielinen versio?",
    "Voinko varata ajan myös illaksi?", "Missä on lähin noutopiste?", "Tarvitsenko tunnukset hakemukseen?",
    "Moi, onks teillä tätä mustana?", "Hei, saako tilauksen noutaa itse?", "Kysyisin vielä aukioloista.",
    "Voiko laskun jakaa kahteen osaan?", "Miten pääsen muuttamaan salasanan?",
]
WORRIED = [
    "Olen huolissani, ehtiikö paketti jouluksi?", "Jännittää, saanko päätöksen ennen muuttoa?",
    "Olen vähän hermona, riittääkö vakuutus matkalle?", "Pelottaa, onko tietoni turvassa?",
    "Mietityttää kovasti, pääsenkö ajoissa leikkaukseen.", "Meillä on kiire, ehditäänkö asentaa ennen viikonloppua?",
    "Olen stressaantunut, kun en tiedä, miten hakemus tehdään.", "Hermostuttaa, toimiiko kortti ulkomailla?",
    "Tarvitsisin tätä tosi kiireesti, ehtiikö se huomiseksi?", "Olen ihan paniikissa, unohdin maksaa laskun.",
    "Vähän huolettaa, kun en ole saanut vahvistusta.", "Isä on sairaana, voiko ajan saada nopeammin?",
]

# --- agent side -------------------------------------------------------------
APOLOGIES = [
    "Pahoittelen tilannetta.", "Pahoittelen viivettä.", "Olen todella pahoillani tapahtuneesta.",
    "Pahoittelemme aiheutunutta vaivaa.", "Pyydän anteeksi.", "Pyydämme anteeksi virhettä.",
    "Sori tosi paljon!", "Sori, meidän moka.", "Pahoittelut sotkusta!", "Olemme pahoillamme.",
    "Pahoittelen epäselvää viestiäni.", "Anteeksi, tämä ei saisi mennä näin.", "Pahoitteluni virheestä.",
    "Pahoittelemme kovasti.", "Olen pahoillani, että jouduitte odottamaan.", "Anteeksi kovasti viive.",
    "Pahoittelimme asiaa jo puhelimessa, ja pahoittelen vielä kerran.", "Pyydän anteeksi puolestamme.",
    "Pahoittelut, tämä meni meillä pieleen.", "Olemme erittäin pahoillamme tästä.", "Sorry, meni ohi.",
    "Pahoittelut hitaasta vastauksesta.", "Pahoittelen, että asia on venynyt.", "Anteeks, mun virhe.",
    "Pyydän nöyrimmästi anteeksi.", "Pahoittelen virhettä laskussanne.", "Pahoittelemme katkosta.",
    "Olen pahoillani, että ohjeemme olivat epäselvät.", "Pahoittelen, että saitte väärää tietoa.",
    "Pahoitelen viivettä.", "Pahoittelumme tapahtuneesta.", "Olemme pahoillamme häiriöstä.",
    "Sori et kesti näin kauan.", "Anteeksi, tässä kesti.", "Pahoittelen kovasti tätä sekaannusta.",
    "Pahoittelemme, tämä ei ole tasomme mukaista.", "Pahoittelut myöhäisestä vastauksesta!",
    "Pyydän anteeksi, että asia jäi meiltä hoitamatta.", "Pahoittelemme, että paketti viivästyi.",
    "Olen pahoillani, ettei tämä toiminut.", "Anteeksi, että jouduitte soittamaan monta kertaa.",
]
EMPATHY = [
    "Ymmärrän, että tilanne on turhauttava.", "Ikävä kuulla tästä.", "Harmillista, että jouduitte odottamaan.",
    "Toivottavasti se löytyy pian.", "Voin kuvitella, miltä tuntuu odottaa näin kauan.", "Onpa ikävä tilanne.",
    "Kuulostaa todella rasittavalta.", "Ymmärrän hyvin huolenne.", "Hyvä, että otitte heti yhteyttä.",
    "Ymmärrän täysin turhautumisenne.", "Kurjaa, että loma meni pilalle.", "Tosi harmi, että näin kävi.",
    "Ymmärrän, että tämä on stressaavaa, kun aikaa on vähän.", "On ymmärrettävää, että tämä suututtaa.",
    "Harmittaa puolestanne.", "Toivottavasti äitinne voi pian paremmin.", "Ikävää, että kylmä asunto on vaivannut.",
    "Kuulostaa tosi hankalalta.", "Ymmärrän, miten tärkeä asia tämä on teille.", "Ei ole kiva tilanne, ymmärrän.",
    "Onpa harmillista!", "Tiedän, että odottaminen on raskasta.", "Ymärrän hyvin, että tämä harmittaa.",
    "Toivottavasti saatte levätä viikonloppuna.", "Tuo kuulostaa oikeasti pelottavalta.", "Kurja juttu, oikeasti.",
    "Toi on kyl tosi ikävää.", "Ymmärrän, että kiire on kova.", "Ikävä kuulla, että työpäivä meni tähän.",
    "On täysin ymmärrettävää olla huolissaan.", "Harmi kuulla!", "Ymmärrän tunteenne hyvin.",
    "Voi ei, ikävä kuulla.", "Onpa kurjaa, että joudutte tällaiseen.", "Ymmärrän pettymyksenne.",
    "Tämä on varmasti ollut raskasta.", "Kiitos, että jaksoitte odottaa – tiedän, että se on ollut vaikeaa.",
    "Huoli on aivan aiheellinen.", "Hienoa, että kerroitte tilanteestanne.", "Toivottavasti lahja ehtii perille.",
]
# replies that look similar but are neither apology nor empathy
HARD_NEGATIVES = [
    "Valitettavasti tuote on loppu.", "Valitettavasti emme voi muuttaa tilausta enää.", "Ymmärrän. Tilausnumero on 45871.",
    "No anteeksi vaan kauheasti.", "Anteeksi nyt että olen olemassa.", "Asiakas pyysi anteeksi myöhästymistä.",
    "Teidän ei tarvitse pyytää anteeksi.", "Valitettavasti järjestelmässä on huoltokatko.", "Ymmärsin kysymyksen.",
    "Ymmärrän, eli kyse on laskusta.", "Valitettavasti aukiolo päättyy klo 17.", "Toivomme, että maksatte laskun ajallaan.",
    "Toivon, että luette ehdot.", "Harmi vaan, ehdot ovat ehdot.", "Kuulin asiasta kollegalta.",
    "Ikävä kyllä, sääntö on tämä.", "Valitettavasti hakemus on puutteellinen.", "Ymmärrän, palaan asiaan.",
    "Anteeksi kuinka? Kysymys ei ole selvä.", "Pahoittelut eivät auta tässä, lasku pitää maksaa.",
    "Virhe on nyt korjattu.", "Laskussa ei ole virhettä.", "Viive johtuu kuljetusliikkeestä.", "Vika on laitteessanne.",
    "Virheet korjataan seuraavassa versiossa.", "Meillä ei ole tietoa virheestä.", "Virheilmoitus tarkoittaa, että salasana on vanhentunut.",
    "Viivästyksestä ei makseta korvausta.", "Tämä ei ole meidän virheemme.", "Vian syy selvisi: sulake oli palanut.",
    "Meidän järjestelmämme näyttää maksun saapuneen.", "Me emme ole saaneet teiltä liitteitä.", "Tämä ei ole mahdollista verkossa.",
    "Minä en näe tilausta järjestelmässä.", "Tämä ei vaadi teiltä toimenpiteitä.",
]
CONTENT = {
    "ecommerce": ["Lähetän uuden tuotteen tilalle tänään.", "Palautuslappu on liitteenä.", "Hyvitys näkyy tilillänne 3–5 päivän kuluessa.",
                  "Tarkistin tilauksen: se lähti varastolta eilen.", "Lähetä kuva tuotteesta, niin käsittelen asian.", "Seurantakoodi on JJFI123456."],
    "telecom": ["Tein linjalle etämittauksen ja käynnistin sen uudelleen.", "Hyvitän ylimääräiset maksut seuraavasta laskusta.",
                "Teknikko tulee torstaina klo 8–12.", "Lähetämme uuden modeemin.", "Aktivoin liittymän nyt, se toimii tunnin sisällä.", "Tarkistin kuuluvuuden alueellanne."],
    "bank": ["Kortti on suljettu ja uusi on tilattu.", "Reklamaatio on kirjattu, ja selvitämme veloituksen.", "Voitte kirjautua nyt uudella tunnuksella.",
             "Lainahakemus on käsittelyssä, päätös tulee perjantaina.", "Palautin palvelumaksun tilillenne.", "Tilisiirto on nyt kirjautunut."],
    "insurance": ["Korvauspäätös tehdään tällä viikolla.", "Lähetin korvauspäätöksen perustelut sähköpostiinne.", "Korjasin vakuutuskauden.",
                  "Vahinkotarkastaja soittaa teille huomenna.", "Hyvitämme tuplalaskun.", "Vakuutus on taas voimassa."],
    "public_services": ["Hakemus on nyt käsittelijällä.", "Korjasimme nimen päätökseen.", "Voitte lähettää liitteet myös sähköpostilla.",
                        "Maksu on lähtenyt tililtämme tänään.", "Karhukirje on aiheeton, voitte jättää sen huomiotta.", "Varasin teille ajan maanantaille."],
    "housing": ["Huoltomies tulee huomenna aamupäivällä.", "Vuodon korjaus on tilattu.", "Lähetimme naapurille huomautuksen.",
                "Palautamme tuplaveloituksen.", "Hissiyhtiö on tulossa paikalle.", "Tilasin uuden avaimen."],
    "healthcare_booking": ["Varasin teille uuden ajan keskiviikolle.", "Laskun käynti on poistettu.", "Resepti on uusittu.",
                           "Tulokset näkyvät nyt palvelussa.", "Lähete löytyi, ja se on käsittelyssä.", "Lähetin uuden etävastaanottolinkin."],
    "transport": ["Voitte hakea viivästyskorvausta lomakkeella.", "Laukku on löytynyt ja toimitetaan kotiinne.", "Palautin tuplaveloituksen.",
                  "Tarkastusmaksu on mitätöity.", "Lähetin uuden lipun sähköpostiinne.", "Ilmoitin asiasta liikennöitsijälle."],
    "utilities": ["Tarkistin mittarilukeman ja korjasin laskun.", "Vika on paikannettu, sähköt palaavat iltaan mennessä.",
                  "Palautin sopimuksen entiseen hintaan.", "Lähetin laskut uudelleen.", "Jäteauto tulee huomenna.", "Hyvitys näkyy seuraavassa laskussa."],
    "b2b_software": ["Palvelu on palautettu ja tutkimme juurisyytä.", "Korjaus julkaistaan tänään klo 16.", "Hyvitämme ylimääräiset lisenssit.",
                     "Nollasin käyttäjien istunnot, kirjautuminen toimii nyt.", "Palautimme datan varmuuskopiosta.", "Eskaloin tiketin kehitystiimille."],
}
NEUTRAL_ANSWERS = [
    "Olemme auki arkisin 9–17.", "Tuotteen voi lisätä tilaukseen ennen kuin se lähtee.", "Osoitteen voi vaihtaa Omat tiedot -sivulla.",
    "Lahjakortteja saa kaikista myymälöistä.", "Toimitus kestää 2–4 arkipäivää.", "Laskulla maksaminen onnistuu kassalla.",
    "Kuitti tulee sähköpostiin automaattisesti.", "Liittymän voi irtisanoa verkossa.", "Eräpäivää voi siirtää kerran vuodessa.",
    "Seuraava juna lähtee klo 14.05.", "Koiran saa tuoda kytkettynä.", "Lisäkäyttäjä maksaa 9 € kuukaudessa.",
]
OPENINGS = ["Hei!", "Hei,", "Moi!", "Hyvä asiakas,", "Kiitos viestistänne.", "Kiitos yhteydenotosta!", "Terve!", "Hei Anna,", "Päivää,", ""]
CLOSINGS = ["Ystävällisin terveisin, asiakaspalvelu", "Auttoiko tämä?", "Hyvää päivänjatkoa!", "Terveisin Mikko", "", "", "Kerro, jos tulee kysyttävää.", "t. Sari"]
FEELINGS += [
    "Olen niin vihainen, etten tiedä mitä sanoa.", "Tämä ärsyttää suunnattomasti.", "Olen kyllästynyt teidän palveluunne.",
    "Tuntuu, ettei ketään kiinnosta.", "Tämä on ollut painajainen.", "Itketti jo eilen, kun mikään ei toiminut.",
    "Olen niin väsynyt tähän säätämiseen.", "Suututtaa, että joudun taas kirjoittamaan.", "Tämä on ihan kohtuutonta!",
    "Olen ihan shokissa laskun summasta.", "Ärsyttää ihan sikana.", "Mua ottaa tosi paljon päähän.",
    "En kestä enää yhtään viikkoa tätä.", "Hermot on ihan riekaleina.", "Tosi nolo tilanne, kun vieraat tulevat huomenna.",
    "Häät ovat lauantaina, ja puku on yhä hukassa!", "Pelkään, että menetän työpaikan, jos tämä ei ratkea.",
    "Olen ollut tosi allapäin koko viikon.", "Tämä on meidän perheelle tosi iso raha.", "Olen kotona pienen lapsen kanssa ilman lämmitystä.",
    "Olen eläkeläinen enkä osaa näitä nettijuttuja, ja tämä stressaa.", "Koko viikonloppu meni pilalle.",
    "Tuntuu, että minua pompotellaan.", "Olen aivan ymmälläni ja vähän peloissani.", "Minua hävettää kertoa tästä perheelle.",
    "Kuinka kauan tätä pitää vielä kestää?!", "Mä oon ihan poikki tän kanssa.", "Ei jaksa enää.", "Olen pettynyt ja surullinen.",
    "Huolettaa todella paljon, koska eräpäivä on huomenna.",
]
EMPATHY += [
    "Ymmärrän, että viikonlopun pilalle meneminen harmittaa.", "Kuulostaa todella uuvuttavalta.", "Tuo on varmasti ollut iso järkytys.",
    "Olette ihan oikeassa, että tämä on kohtuutonta.", "On ymmärrettävää, että olette vihainen.", "Ikävää, että jouduitte kirjoittamaan uudestaan.",
    "Ymmärrän, että summa säikäytti.", "Kuulostaa siltä, että viikko on ollut raskas.", "Sydämellinen kiitos kärsivällisyydestä näin hankalassa tilanteessa.",
    "Ymmärrän, että tämä tuntuu pompottelulta.", "Harmittaa kuulla, että perhe joutui kärsimään.", "Ymmärrän hyvin, että hääpäivän lähestyessä tämä stressaa.",
    "Tämä ei todellakaan ole sellainen kokemus, jonka haluamme teille.", "Kiitos, että kerroitte, miltä tämä tuntuu.",
    "Ihan ymmärrettävää olla huolissaan, kun eräpäivä on lähellä.", "Ymmärrän, miten kiusallinen tilanne tämä on.",
    "Kuulen, että tämä on ollut tosi raskasta.", "Mä ymmärrän tosi hyvin, että ärsyttää.", "Aivan kamalaa, että jäitte ilman lämmitystä.",
    "Otan osaa, kuulostaa todella rankalta.", "Tiedän, miten tärkeä häätilaisuus on.", "Kurjaa kuulla, että luottamus on koetuksella.",
]
APOLOGIES += [
    "Pahoittelen, että vastaus on viipynyt.", "Anteeksi, että tämä on vienyt näin kauan.", "Pahoittelemme syvästi.",
    "Sorkka, mun kämmi.", "Pyydän anteeksi virheellistä laskua.", "Pahoittelen, että jouduitte näkemään vaivaa.",
    "Olemme pahoillamme, ettei palvelu toiminut odotetusti.", "Pahoittelen, että kuriiri ei tullut sovitusti.",
    "Anteeksi hankaluus.", "Pahoitteluni hitaasta käsittelystä.", "Pahoittelen, ettei asiaa hoidettu heti.",
    "Olen pahoillani, että tämä on aiheuttanut harmia.",
]
WORRIED += [
    "Ehtiikö lääke apteekkiin ennen viikonloppua? Olen vähän huolissani.", "Vähän jännittää, kun en ole ennen hakenut tukea.",
    "Olen hermostunut, koska tapaaminen on jo huomenna.", "Pelkään, että maksu ei ehdi ajoissa.",
    "Huolettaa, jos passi ei ehdi ennen matkaa.", "Mulla on vähän hätä, kun lento lähtee aamulla.",
]
NEUTRAL += [
    "Voinko vaihtaa tilauksen toimitustapaa?", "Miten lisään toisen käyttäjän tiliin?", "Mihin osoitteeseen palautus lähetetään?",
    "Onko teillä opiskelija-alennusta?", "Voiko tuotteen tilata Ahvenanmaalle?", "Millä maksutavoilla voi maksaa?",
    "Miten saan vuosiraportin ladattua?", "Onko sovelluksesta iPad-versiota?", "Kuinka pitkä irtisanomisaika on?",
]
EMPATHY += [
    "Ymmärrän, että olette odottaneet jo pitkään.", "On todella harmillista, että tilanne on venynyt.", "Kuulostaa kurjalta, kun kaikki kasautuu kerralla.",
    "Ymmärrän, että tämä vie hermot.", "Ikävää, että jouduitte tällaiseen tilanteeseen.", "Ymmärrän, että kiire painaa päälle.",
    "Tiedän, että tämä on teille tärkeä asia.", "Toivottavasti päivänne paranee tästä.", "Ymmärrän hyvin pettymyksenne tähän.",
    "Voin vain kuvitella, miten stressaavaa tämä on ollut.", "Harmi, että ensikokemus meistä oli tällainen.", "Ymmärrän, että luotitte lupaukseemme.",
    "Ikävä kuulla, että olette joutuneet huolehtimaan tästä.", "Ihan ymmärrettävää, että turhauttaa.", "Toivottavasti saatte pian helpotusta.",
    "Ymmärrän, että tämä tuntuu epäreilulta.", "Kuulostaa siltä, että olette olleet todella pulassa.", "Onpa ikävä, että sairauden keskellä tulee tällaista.",
    "Ymmärrän, miten kurjalta tuntuu odottaa tietämättä.", "Surullista kuulla.", "Harmillista, että tämä osui juuri lomalle.",
    "Ymmärrän, että olette pahoittanut mielenne.", "Toivottavasti kaikki järjestyy.", "Kiitos kun jaksoitte – ymmärrän, että tämä on kuluttavaa.",
    "Ymmärrän, että tilanne huolestuttaa.", "Tuo kuulostaa raskaalta, varsinkin pienen lapsen kanssa.", "Mä tajuun tosi hyvin, et tää ottaa päähän.",
    "Ikävä tilanne, ymmärrän sen hyvin.", "Ymmärrän, että luottamus on nyt koetuksella.", "Tämä on varmasti tuntunut pitkältä ajalta.",
]
FEELINGS += [
    "Tämä tilanne on ihan hirveä.", "Olen tosi pettynyt teihin.", "Tuntuu todella pahalta.", "Olen ollut ihan sekaisin tämän takia.",
    "Olen odottanut puhelua koko päivän enkä ole voinut lähteä kotoa.", "Minua suoraan sanottuna raivostuttaa.", "Mulla on ihan paniikki.",
    "Tämä on todella epäreilua.", "Minua pelottaa, että joudun maksamaan tämän itse.", "Eikö teillä kukaan välitä asiakkaista?",
    "Tämä on ollut pitkä ja raskas prosessi.", "Ahdistaa avata koko sähköpostia enää.", "Olen menettänyt luottamukseni teihin.",
    "Minulla on leikkaus ensi viikolla ja tämä pitää saada kuntoon.", "Kiirettä pitää, koska lähden huomenna ulkomaille.",
    "Olen yksinhuoltaja, eikä minulla ole varaa tällaiseen.", "Tämä on aivan käsittämätöntä.", "Väsyttää koko asia.",
    "Täällä palellaan jo kolmatta päivää.", "Olen tosi huolissani vanhasta isästäni, joka ei saa yhteyttä.",
]
APOLOGIES += [
    "Pahoittelen, että tästä on koitunut teille harmia.", "Anteeksi, virhe oli meidän.", "Olen pahoillani, että jouduitte odottamaan vastausta.",
    "Pahoittelemme, että lupaus ei pitänyt.", "Pyydän anteeksi epäselvää ohjetta.", "Pahoittelut, että tämä jäi meiltä huomaamatta.",
    "Olemme pahoillamme, että kokemuksenne oli tällainen.", "Anteeksi, että tämä venyi viikonlopun yli.", "Pahoittelen puolestamme.",
    "Olen tosi pahoillani tästä sekaannuksesta.",
]
# Risky agent sentences (the must-flag examples of the phrasing rules): real replies
# are often bad *and* lack an apology, and without them the models learn that any
# first-person sentence is an apology. Sentences that apologise or empathise are left out.
_SOFT = re.compile(r"pahoit|anteek|sori|sorry|ymmärr|ikävä|harmi|toivottavasti|kurja|pahoill", re.I)


def _rule_sentences() -> list[str]:
    rules_dir = Path(__file__).resolve().parents[2] / "src" / "sävy" / "rules"
    out = []
    for path in sorted(rules_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("kind", "finding") != "finding":
            continue
        for rule in data["rules"]:
            if rule.get("kind", "finding") == "finding":
                out.extend(x for x in (rule.get("examples") or {}).get("flag", []) if not _SOFT.search(x))
    return out


RISKY = _rule_sentences()
DOMAINS = list(PROBLEMS)


def _extend_from_yaml(path: Path) -> None:
    """Add the sentences of a further bank file (same kinds of lists, written later)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for domain, items in data.get("problems", {}).items():
        PROBLEMS[domain].extend(x for x in items if x not in PROBLEMS[domain])
    for key, bank in (("feelings", FEELINGS), ("worried", WORRIED), ("neutral", NEUTRAL), ("apologies", APOLOGIES),
                      ("empathy", EMPATHY), ("hard_negatives", HARD_NEGATIVES)):
        bank.extend(x for x in data.get(key, []) if x not in bank)


_extend_from_yaml(Path(__file__).with_name("banks_extra.yaml"))


def _split_bank(items: list[str], key: str) -> tuple[list[str], list[str], list[str]]:
    """Deterministically reserve ~25% of a bank for test and ~12% for validation."""
    bucket = {s: int(hashlib.sha256((key + s).encode()).hexdigest(), 16) % 8 for s in items}
    test = [s for s in items if bucket[s] < 2] or items[-1:]
    val = [s for s in items if bucket[s] == 2 and s not in test] or [s for s in items if s not in test][-1:]
    train = [s for s in items if s not in test and s not in val]
    return train, test, val


def compose(n: int = 6000, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    banks = {}
    for name, items in (("apology", APOLOGIES), ("empathy", EMPATHY), ("feeling", FEELINGS), ("hard", HARD_NEGATIVES),
                        ("neutral", NEUTRAL), ("worried", WORRIED), ("risky", RISKY)):
        banks[name] = _split_bank(items, name)
    problems = {d: _split_bank(p, d) for d, p in PROBLEMS.items()}
    out, seen = [], set()
    while len(out) < n:
        r = rng.random()
        split = "test" if r < 0.25 else "val" if r < 0.37 else "train"
        k = {"train": 0, "test": 1, "val": 2}[split]
        domain = rng.choice(DOMAINS)
        # a bare negative feeling ("olen pettynyt") is dissatisfaction, i.e. a complaint, so
        # the no-complaint + feeling case comes only from worried/urgent questions
        kind = rng.choices(["problem", "problem+feeling", "neutral", "worried"], [0.3, 0.32, 0.22, 0.16])[0]
        complaint = kind in ("problem", "problem+feeling")
        feeling = kind in ("problem+feeling", "worried", "feeling-only")
        if kind == "problem":
            customer = rng.choice(problems[domain][k])
        elif kind == "problem+feeling":
            parts = [rng.choice(problems[domain][k]), rng.choice(banks["feeling"][k])]
            rng.shuffle(parts)
            customer = " ".join(parts)
        elif kind == "neutral":
            customer = rng.choice(banks["neutral"][k])
        elif kind == "worried":
            customer = rng.choice(banks["worried"][k])
        else:
            customer = rng.choice(banks["feeling"][k]) + " " + rng.choice(banks["neutral"][k])
            complaint = False
        apology = rng.random() < (0.6 if complaint else 0.2)
        empathy = rng.random() < (0.55 if feeling else 0.2)
        body = []
        if apology:
            body.append(rng.choice(banks["apology"][k]))
        if empathy:
            body.insert(rng.randint(0, len(body)), rng.choice(banks["empathy"][k]))
        if rng.random() < 0.3:
            body.insert(rng.randint(0, len(body)), rng.choice(banks["hard"][k]))
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            body.insert(rng.randint(0, len(body)), rng.choice(banks["risky"][k]))
        content = NEUTRAL_ANSWERS if kind in ("neutral", "feeling-only") and rng.random() < 0.7 else CONTENT[domain]
        for sentence in rng.sample(content, rng.randint(1, 2)):
            body.insert(rng.randint(0, len(body)), sentence)
        reply = " ".join(x for x in (rng.choice(OPENINGS), *body, rng.choice(CLOSINGS)) if x)
        key = (customer, reply)
        if key in seen:
            continue
        seen.add(key)
        register = "colloquial" if any(w in reply.lower() for w in ("sori", "moi", "toi ", "kyl ", "mun", "anteeks")) else rng.choice(["formal", "neutral"])
        out.append({
            "id": f"c{len(out) + 1:05d}", "domain": domain, "register": register, "customer": customer, "reply": reply,
            "apology": int(apology), "empathy": int(empathy), "complaint": int(complaint), "customer_feeling": int(feeling),
            "split": split, "origin": "composed",
        })
    return out


if __name__ == "__main__":
    records = compose()
    path = Path(__file__).with_name("lead_pairs.jsonl")
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    print(len(records), "pairs ->", path)
