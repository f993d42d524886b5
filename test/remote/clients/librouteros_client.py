# Run by remote-access.test.ts inside the client namespace with Debian's python3-librouteros:
# log in (plain API or api-ssl), list, add, listen, provoke a !trap. Prints one JSON object.
import json, ssl, sys
from librouteros import connect
from librouteros.exceptions import TrapError

host, user, password, mode = sys.argv[1:5]
out = {}
if mode == 'ssl':
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    api = connect(host=host, username=user, password=password, port=8729, ssl_wrapper=ctx.wrap_socket, timeout=20)
    out['identity'] = list(api('/system/identity/print'))[0]['name']
    print(json.dumps(out))
    sys.exit(0)

api = connect(host=host, username=user, password=password, timeout=20)
secrets = api.path('ppp', 'secret')
out['before'] = [s['name'] for s in secrets]
if mode == 'read-only':
    try:
        secrets.add(name='sneaky', password='x')
        out['addTrap'] = 'no trap'
    except TrapError as e:
        out['addTrap'] = str(e)
    print(json.dumps(out))
    sys.exit(0)

# listen on one connection, change on another; the listen's first !re is the change.
watcher = connect(host=host, username=user, password=password, timeout=20)
watcher.protocol.writeSentence('/ppp/secret/listen', '.tag=w')
out['ret'] = secrets.add(name='py1', password='pyth0n', service='pptp')
out['found'] = [dict(s) for s in secrets.select('name', 'service').where(__import__('librouteros').query.Key('name') == 'py1')]
reply, words = watcher.protocol.readSentence()
out['listenReply'] = reply
out['listenWords'] = list(words)
watcher.protocol.writeSentence('/cancel', '=tag=w', '.tag=c')
try:
    secrets.update(**{'.id': out['ret'], 'remote-address': 'not-an-address'})
    out['trap'] = 'no trap'
except TrapError as e:
    out['trap'] = str(e)
out['active'] = list(api('/ppp/active/print'))
secrets.remove(out['ret'])
out['after'] = [s['name'] for s in secrets]
print(json.dumps(out))
