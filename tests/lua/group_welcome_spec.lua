-- bots/group_welcome.lua: a member added to a group the bot is in is greeted by mention; nobody
-- else is (the bot itself, members who leave, promotions).
describe('group_welcome', function()
  it('says nothing when the bot is put in a group', function()
    assert.matches('@g%.us$', you.group('welcome club'))
    you.expectNothing(300)
  end)

  it('greets a member you add, by mention', function()
    local r = you.add('15550000003')
    assert.equals('200', r[1].status)
    you.expect('^Welcome, @15550000003!$')
  end)

  it('greets several added at once in one message', function()
    you.add('15550000004', '15550000005')
    you.expect('^Welcome, @15550000004, @15550000005!$')
    you.expectNothing(300)
  end)

  it('says nothing when members are promoted or removed', function()
    you.promote('15550000004')
    you.remove('15550000004')
    you.expectNothing(500)
  end)

  it('greets a member added again after a removal', function()
    you.add('15550000004')
    you.expect('^Welcome, @15550000004!$')
  end)

  it('does not greet someone already in the group', function()
    local r = you.add('15550000003')
    assert.equals('409', r[1].status)
    you.expectNothing(300)
  end)
end)
