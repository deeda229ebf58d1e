"""A small offline list of the most common passwords of 8 or more characters (from public
breach-frequency lists), refused as new passwords (NIST SP 800-63B 3.1.1.2). Compared after NFKC
and case folding; shorter ones are refused by the length rule anyway."""

from __future__ import annotations

COMMON_PASSWORDS: frozenset[str] = frozenset(
    """
    12345678 123456789 1234567890 12345678910 123123123 123321123 1234qwer 12qwaszx 1q2w3e4r
    1q2w3e4r5t 1q2w3e4r5t6y 1qaz2wsx 1qaz2wsx3edc 1qazxsw2 a1234567 a12345678 aa123456 aa12345678
    abc12345 abcd1234 abcdefg1 abcdefgh admin123 admin1234 administrator asdf1234 asdfasdf
    asdfghjk asdfghjkl azertyui azertyuiop baseball basketball batman123 charlie1 chocolate
    computer dearbook dragon123 football football1 freedom1 iloveyou iloveyou1 iloveyou2
    jennifer jordan23 letmein1 liverpool loveyou1 master123 michael1 monkey123 mustang1 mypassword
    nicole12 passw0rd password password! password01 password1 password12 password123 password1234
    password2 passwort pokemon1 princess princess1 q1w2e3r4 q1w2e3r4t5 q1w2e3r4t5y6 qazwsxedc
    qwer1234 qwerty12 qwerty123 qwerty1234 qwertyui qwertyuiop samsung1 starwars sunshine
    sunshine1 superman superman1 trustno1 welcome1 welcome123 whatever zaq12wsx zaq1zaq1
    zxcvbnm1 zxcvbnm123 changeme changeme1 changeme123 letmein123 secret123 default1
    default123 p@ssw0rd p@ssword pa55word pa$$word passpass password!1 Password1! qwerty!
    11111111 00000000 88888888 99999999 12341234 11223344 12344321 87654321 98765432 147258369
    159753456 741852963 789456123 963852741 123654789 aaaaaaaa abc123456 abcabc123 iloveu123
    benchstudio benchstudio1 benchstudio123 letmeinplease welcome2024 welcome2025 welcome2026
    summer2024 summer2025 winter2024 winter2025 spring2025 autumn2025 football123 baseball1
    loveme123 secretpass temppass1 temporary guest1234 test1234 testtest testing123 user1234
    """.casefold().split()
)
